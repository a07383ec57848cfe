import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { checkRecord, csvField, openLabelInput, type LabelRow } from '../../electron/services/datasets/label-csv.js';

async function rowsOf(text: string): Promise<{ layout: string; rows: LabelRow[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'label-csv-'));
  try {
    const file = path.join(dir, 'in.csv');
    fs.writeFileSync(file, text);
    const input = await openLabelInput(file);
    const rows: LabelRow[] = [];
    for await (const r of input.rows) rows.push(r);
    return { layout: input.layout, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('label CSV input (read as the importer reads a dataset CSV)', () => {
  it('quotes only when needed', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
  });

  it('validates records with the importer rules and messages', () => {
    const header = ['id', 'lat', 'lon'];
    const cols = { id: 0, lat: 1, lon: 2 };
    expect(checkRecord(['a', '1.5', '-2'], 3, header, cols)).toEqual({ ok: true, id: 'a', lat: 1.5, lon: -2 });
    expect(checkRecord(['a', '', '2'], 3, header, cols)).toMatchObject({ ok: false, reason: "latitude '' is not a number" });
    expect(checkRecord(['a', '1', '181'], 3, header, cols)).toMatchObject({ ok: false, reason: 'longitude 181 is out of range (±180)' });
    expect(checkRecord(['a', '1'], 3, header, cols)).toMatchObject({ ok: false, reason: "missing column 'lon' (2 of 3 fields)" });
    expect(checkRecord(['a', '0x10', '2'], 3, header, cols).ok).toBe(false);
    expect(checkRecord(['../etc/passwd', '1', '2'], 3, header, cols)).toMatchObject({ ok: false, reason: "image path '../etc/passwd' leaves the image folder" });
    expect(checkRecord(['', '1', '2'], 3, header, cols)).toMatchObject({ ok: false, reason: 'empty image id' });
    expect(checkRecord(['a', ' -1e1 ', '+.5'], 3, header, cols)).toEqual({ ok: true, id: 'a', lat: -10, lon: 0.5 });
  });

  it('reads quoted line breaks, extra columns and the importer column names; lines count the breaks', async () => {
    const { layout, rows } = await rowsOf('IMG_ID,AUTHOR,LAT,LON,note\n"a.jpg","Ann\nB.",48.85,2.35,x\nb.jpg,C,10,20,"two\nlines"\nc.jpg,D,95,1,y\n');
    expect(layout).toBe('YFCC4K CSV');
    expect(rows).toEqual([
      { line: 2, ok: true, id: 'a.jpg', lat: 48.85, lon: 2.35 },
      { line: 4, ok: true, id: 'b.jpg', lat: 10, lon: 20 },
      { line: 6, ok: false, reason: 'latitude 95 is out of range (±90)' },
    ]);
  });

  it('refuses a header without a latitude, and a CSV syntax error, naming the line', async () => {
    await expect(rowsOf('id,x,lon\n1,2,3\n')).rejects.toThrow(/no column for a latitude/);
    await expect(rowsOf('id,lat,lon\na,1,2\n"b,1,2\n')).rejects.toThrow(/CSV syntax error/);
  });
});
