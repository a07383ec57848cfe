import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeEach } from 'vitest';
import { labelCommand } from '../../electron/cli/commands/label.js';
import { UsageError, type CliIo } from '../../electron/cli/command.js';

const HEADER = 'id,lat,lon,country_code,country,region_code,region,city,city_lat,city_lon,city_km,border_km,flags';

let dir: string;
let out: string[];
let err: string[];
let io: CliIo;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-label-'));
  out = [];
  err = [];
  io = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd: dir, env: {} };
});

function write(name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
}

describe('georeason label', () => {
  it('writes the output columns in order to stdout', async () => {
    const input = write('in.csv', 'IMG_ID,LAT,LON\nparis/eiffel.jpg,48.8584,2.2945\nsea,35,-40\n');
    expect(await labelCommand.run([input], io)).toBe(0);
    const lines = out.join('').trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toMatch(/^paris\/eiffel\.jpg,48\.8584,2\.2945,FR,France,FR-IDF,Île-de-France,Paris,48\.85341,2\.3488,[\d.]+,[\d.]+,$/);
    expect(lines[2]).toMatch(/^sea,35,-40,,,,,,,,,[\d.]+,ocean$/);
    expect(err.join('')).toBe('');
  });

  it('accepts latitude/longitude headers, quoted fields and -o (written whole)', async () => {
    const input = write('in.csv', '"IMG_FILE","latitude","longitude"\n"a,b.jpg",46.177,6.107\n');
    expect(await labelCommand.run([input, '-o', 'out.csv'], io)).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8');
    const [head, row] = text.trimEnd().split('\n');
    expect(head).toBe(HEADER);
    expect(row?.startsWith('"a,b.jpg",46.177,6.107,CH,Switzerland,')).toBe(true);
    expect(row?.endsWith(',near_border')).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['in.csv', 'out.csv']);
    expect(out.join('')).toBe('');
  });

  it('reports bad rows as file:line: reason, exits non-zero and writes nothing', async () => {
    const input = write('bad.csv', 'id,lat,lon\nok,48.85,2.35\nx,abc,2\ny,95,2\nz,10\n');
    expect(await labelCommand.run([input, '-o', 'out.csv'], io)).toBe(1);
    const e = err.join('');
    expect(e).toContain("bad.csv:3: latitude 'abc' is not a number");
    expect(e).toContain('bad.csv:4: latitude 95 is out of range');
    expect(e).toContain("bad.csv:5: missing column 'lon'");
    expect(fs.readdirSync(dir)).toEqual(['bad.csv']);
  });

  it('does not print partial CSV to stdout on a bad row', async () => {
    const input = write('bad.csv', 'id,lat,lon\nok,48.85,2.35\nx,1,200\n');
    expect(await labelCommand.run([input], io)).toBe(1);
    expect(out.join('')).toBe('');
    expect(err.join('')).toContain('bad.csv:3: longitude 200 is out of range');
  });

  it('labels the good rows with --skip-bad', async () => {
    const input = write('bad.csv', 'id,lat,lon\nok,48.85,2.35\nx,abc,2\n');
    expect(await labelCommand.run([input, '--skip-bad', '-o', 'out.csv'], io)).toBe(0);
    const lines = fs.readFileSync(path.join(dir, 'out.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]?.startsWith('ok,48.85,2.35,FR,')).toBe(true);
    expect(err.join('')).toContain("bad.csv:3: latitude 'abc' is not a number");
  });

  it('fails on a header without a lat column, even with --skip-bad', async () => {
    const input = write('nohead.csv', 'id,x,lon\n1,2,3\n');
    expect(await labelCommand.run([input, '--skip-bad'], io)).toBe(1);
    expect(err.join('')).toContain('nohead.csv:1: not a dataset CSV: no column for a latitude');
  });

  it('reads a quoted line break and extra columns as import does; line numbers count the break', async () => {
    const input = write('multi.csv', 'IMG_ID,LAT,LON,caption\n"paris/a.jpg",48.8584,2.2945,"Eiffel\ntower, at night"\nb.jpg,35,-40,sea\nc.jpg,x,1,bad\n');
    expect(await labelCommand.run([input, '--skip-bad'], io)).toBe(0);
    const lines = out.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]?.startsWith('paris/a.jpg,48.8584,2.2945,FR,France,')).toBe(true);
    expect(lines[2]?.startsWith('b.jpg,35,-40,')).toBe(true);
    expect(err.join('')).toContain("multi.csv:5: latitude 'x' is not a number");
  });

  it('--skip-bad leaves out a row whose id the importer would refuse', async () => {
    const input = write('ids.csv', 'id,lat,lon\nok.jpg,48.85,2.35\n../../etc/passwd,48.85,2.35\n"",1,2\n/abs/x.jpg,1,2\n');
    expect(await labelCommand.run([input, '--skip-bad'], io)).toBe(0);
    const lines = out.join('').trimEnd().split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['id', 'ok.jpg']);
    const e = err.join('');
    expect(e).toContain("ids.csv:3: image path '../../etc/passwd' leaves the image folder");
    expect(e).toContain('ids.csv:4: empty image id');
    expect(e).toContain("ids.csv:5: image path '/abs/x.jpg' is absolute");
    expect(await labelCommand.run([input], io)).toBe(1);
  });

  it('needs exactly one input file', async () => {
    await expect(labelCommand.run([], io)).rejects.toBeInstanceOf(UsageError);
  });
});
