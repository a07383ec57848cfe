/**
 * Turns the `reward.runColumns` reply (base64 of little-endian typed arrays) into the
 * typed arrays the Reward Lab's worker re-scores. Runs in the worker, so decoding a
 * run of a million completions does not hold up the page.
 */
import type { RunColumns } from '../../../shared/rpc/reward-methods.js';
import { labelScores, type LabColumns } from './reward-stats.js';

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function typed<T extends Float64Array | Int32Array>(b64: string, make: (buf: ArrayBuffer, length: number) => T, size: number, name: string): T {
  const b = bytes(b64);
  if (b.byteLength % size !== 0) throw new Error(`column ${name}: ${b.byteLength} bytes is not a whole number of values`);
  return make(b.buffer as ArrayBuffer, b.byteLength / size);
}

export function decodeRunColumns(r: RunColumns): LabColumns {
  const km = typed(r.km, (b, n) => new Float64Array(b, 0, n), 8, 'km');
  const locKm = typed(r.locKm, (b, n) => new Float64Array(b, 0, n), 8, 'locKm');
  const offsets = typed(r.offsets, (b, n) => new Int32Array(b, 0, n), 4, 'offsets');
  const country = typed(r.country, (b, n) => new Int32Array(b, 0, n), 4, 'country');
  const formatOk = bytes(r.formatOk);
  const globeFormatOk = bytes(r.globeFormatOk);
  const band = bytes(r.band);
  const cols: LabColumns = {
    count: r.count,
    km,
    formatOk,
    globeFormatOk,
    labelScore: labelScores(bytes(r.countryMatch), bytes(r.cityMatch)),
    labelScoreStrict: labelScores(bytes(r.countryMatchStrict), bytes(r.cityMatchStrict)),
    locKm,
    bboxFormatOk: bytes(r.bboxFormatOk),
    offsets,
    band,
    country,
    countries: r.countries,
  };
  for (const [name, col] of Object.entries(cols)) {
    if (ArrayBuffer.isView(col) && name !== 'offsets' && (col as Uint8Array).length !== r.count) {
      throw new Error(`column ${name} has ${(col as Uint8Array).length} rows, expected ${r.count}`);
    }
  }
  if (offsets.length !== r.groups + 1) throw new Error(`offsets has ${offsets.length} entries, expected ${r.groups + 1}`);
  return cols;
}
