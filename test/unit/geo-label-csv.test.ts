import { describe, it, expect } from 'vitest';
import { csvField, findColumns, parseCsvLine, readRow } from '../../electron/services/geo/label-csv.js';

describe('label CSV helpers', () => {
  it('splits quoted fields', () => {
    expect(parseCsvLine('a,"b,c","d ""e""",')).toEqual(['a', 'b,c', 'd "e"', '']);
  });

  it('quotes only when needed', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
  });

  it('finds the id/lat/lon columns under any accepted header', () => {
    expect(findColumns(['IMG_ID', 'AUTHOR', 'LAT', 'LON'])).toEqual({ id: 0, lat: 2, lon: 3 });
    expect(findColumns(['latitude', 'longitude', 'IMG_FILE'])).toEqual({ id: 2, lat: 0, lon: 1 });
    expect(() => findColumns(['id', 'lat'])).toThrow(/missing column lon/);
  });

  it('validates rows', () => {
    const cols = { id: 0, lat: 1, lon: 2 };
    expect(readRow(['a', '1.5', '-2'], cols)).toEqual({ ok: true, id: 'a', lat: 1.5, lon: -2 });
    expect(readRow(['a', '', '2'], cols).ok).toBe(false);
    expect(readRow(['a', '1', '181'], cols).ok).toBe(false);
    expect(readRow(['a', '1'], cols).ok).toBe(false);
    expect(readRow(['a', '0x10', '2'], cols).ok).toBe(false);
    expect(readRow(['a', ' -1e1 ', '+.5'], cols)).toEqual({ ok: true, id: 'a', lat: -10, lon: 0.5 });
  });
});
