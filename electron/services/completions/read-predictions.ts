/**
 * Reads a file of model outputs into rows: JSONL completions (`id` or `image`, the
 * text as `text`/`completion`/`response`, optional `sample`; also VLM-R1's
 * `conversations` and bare `lat`/`lon`) or a CSV of predicted coordinates
 * (`IMG_ID,LAT,LON` or `…,pred_LAT,pred_LON`). Bad rows go to `problems` as
 * `file:line: reason`; matching rows to photos is the importer's job.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import { checkDegrees, parseDegrees } from '../datasets/fields.js';
import type { Problems } from '../datasets/problems.js';
import { predictionFromPoint, predictionFromText, type Prediction } from './checks.js';

export interface PredictionRow {
  line: number;
  /** Ids to try, in order (`image` before `id`). */
  keys: string[];
  sample: number | null;
  prediction: Prediction;
}

export type PredictionFormat = 'jsonl' | 'csv';

export function detectFormat(file: string): PredictionFormat {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.(csv|tsv|txt)$/i.test(file)) return 'csv';
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n).trimStart().startsWith('{') ? 'jsonl' : 'csv';
  } finally {
    fs.closeSync(fd);
  }
}

const TEXT_KEYS = ['text', 'completion', 'response', 'output', 'prediction'] as const;
const MANY_KEYS = ['completions', 'responses', 'texts'] as const;

function sampleOf(value: unknown): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1_000_000) return value;
  if (typeof value === 'string' && /^\d{1,6}$/.test(value.trim())) return Number(value);
  return `sample ${JSON.stringify(value)} is not a whole number ≥ 0`;
}

function keyOf(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) && value.length > 0) return keyOf(value[0]); // VLM-R1: image may be a list
  return null;
}

/** The last assistant turn of a VLM-R1 / ShareGPT conversation. */
function conversationText(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  for (let i = value.length - 1; i >= 0; i--) {
    const turn = value[i] as { from?: unknown; role?: unknown; value?: unknown; content?: unknown } | null;
    if (!turn || typeof turn !== 'object') continue;
    const who = turn.from ?? turn.role;
    const text = turn.value ?? turn.content;
    if ((who === 'gpt' || who === 'assistant') && typeof text === 'string') return text;
  }
  return null;
}

/** One JSON object → rows, or the reason it is bad. */
function rowsOfObject(o: Record<string, unknown>, line: number): PredictionRow[] | string {
  const keys = [keyOf(o.image), keyOf(o.id), keyOf(o.IMG_ID), keyOf(o.image_id)].filter((k): k is string => k !== null);
  if (keys.length === 0) return 'no `id` or `image`';
  const sample = sampleOf(o.sample);
  if (typeof sample === 'string') return sample;

  for (const k of TEXT_KEYS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return `\`${k}\` is not a string`;
    return [{ line, keys, sample, prediction: predictionFromText(v) }];
  }
  for (const k of MANY_KEYS) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) return `\`${k}\` is not a list of strings`;
    if (sample !== null) return `\`sample\` cannot go with a list of \`${k}\``;
    return (v as string[]).map((t, i) => ({ line, keys, sample: i, prediction: predictionFromText(t) }));
  }
  const conv = conversationText(o.conversations ?? o.messages);
  if (conv !== null) return [{ line, keys, sample, prediction: predictionFromText(conv) }];

  const lat = o.pred_lat ?? o.pred_LAT ?? o.lat ?? o.LAT ?? o.latitude;
  const lon = o.pred_lon ?? o.pred_LON ?? o.lon ?? o.LON ?? o.longitude;
  if (lat !== undefined && lon !== undefined) {
    const la = typeof lat === 'number' ? checkDegrees(lat, 'lat') : parseDegrees(String(lat), 'lat');
    const lo = typeof lon === 'number' ? checkDegrees(lon, 'lon') : parseDegrees(String(lon), 'lon');
    if (typeof la === 'string') return la;
    if (typeof lo === 'string') return lo;
    return [{ line, keys, sample, prediction: predictionFromPoint(la, lo) }];
  }
  return 'no completion text (`text`, `completion` or `response`) and no `lat`/`lon`';
}

export async function readJsonl(file: string, problems: Problems, onRow: (row: PredictionRow) => void): Promise<number> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let rows = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    rows++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      problems.add(line, `not JSON (${err instanceof Error ? err.message : String(err)})`);
      if (problems.enough) break;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.add(line, 'not a JSON object');
      continue;
    }
    const out = rowsOfObject(value as Record<string, unknown>, line);
    if (typeof out === 'string') problems.add(line, out);
    else out.forEach(onRow);
    if (problems.enough) break;
  }
  return rows;
}

const ID_COLUMNS = ['img_id', 'img_file', 'image', 'image_id', 'id', 'file', 'filename', 'path'];
const PRED_LAT = ['pred_lat', 'lat_pred', 'predicted_lat', 'pred_latitude'];
const PRED_LON = ['pred_lon', 'lon_pred', 'predicted_lon', 'pred_lng', 'pred_longitude'];
const LAT = ['lat', 'latitude'];
const LON = ['lon', 'lng', 'longitude'];

function column(header: string[], names: string[]): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

export async function readCsvPredictions(file: string, problems: Problems, onRow: (row: PredictionRow) => void): Promise<number> {
  const parser = fs.createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, delimiter: file.toLowerCase().endsWith('.tsv') ? '\t' : ',' }),
  );
  let header: string[] | null = null;
  let idCol = -1;
  let latCol = -1;
  let lonCol = -1;
  let textCol = -1;
  let sampleCol = -1;
  let rows = 0;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const { record } = item;
    // info.lines is the line the record ends on; records here are one line unless quoted.
    const line = item.info.lines;
    if (header === null) {
      header = record;
      idCol = column(header, ID_COLUMNS);
      textCol = column(header, ['text', 'completion', 'response']);
      sampleCol = column(header, ['sample']);
      // A file with both the truth (LAT, LON) and predictions (pred_LAT, pred_LON): take the predictions.
      latCol = column(header, PRED_LAT);
      lonCol = column(header, PRED_LON);
      if (latCol < 0 || lonCol < 0) {
        latCol = column(header, LAT);
        lonCol = column(header, LON);
      }
      if (idCol < 0) problems.add(line, `no image id column (one of ${ID_COLUMNS.join(', ')})`);
      if (textCol < 0 && (latCol < 0 || lonCol < 0)) problems.add(line, 'no LAT/LON or pred_LAT/pred_LON columns (and no text column)');
      if (problems.failed) return 0;
      continue;
    }
    rows++;
    const key = record[idCol]?.trim() ?? '';
    if (key === '') {
      problems.add(line, 'empty image id');
      continue;
    }
    const sample = sampleCol >= 0 && (record[sampleCol] ?? '').trim() !== '' ? sampleOf(record[sampleCol]) : null;
    if (typeof sample === 'string') {
      problems.add(line, sample);
      continue;
    }
    const text = textCol >= 0 ? (record[textCol] ?? '') : '';
    if (text.trim() !== '') {
      onRow({ line, keys: [key], sample, prediction: predictionFromText(text) });
      continue;
    }
    const lat = parseDegrees(record[latCol], 'lat');
    const lon = parseDegrees(record[lonCol], 'lon');
    if (typeof lat === 'string' || typeof lon === 'string') {
      problems.add(line, typeof lat === 'string' ? lat : (lon as string));
      if (problems.enough) break;
      continue;
    }
    onRow({ line, keys: [key], sample, prediction: predictionFromPoint(lat, lon) });
    if (problems.enough) break;
  }
  return rows;
}
