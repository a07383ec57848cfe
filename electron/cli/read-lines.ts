/** Input helpers shared by the batch commands: JSONL and CSV files with `file:line` errors. */
import fs from 'node:fs';
import path from 'node:path';
import type { CliIo } from './command.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv.js';

/** Bad input: one `file:line: reason` per problem. The command prints them and exits 1. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
  }
}

/** At most this many problems are printed; the rest are counted. */
const MAX_PROBLEMS = 20;

export function reportInputError(err: unknown, io: CliIo): number {
  if (!(err instanceof InputError)) throw err;
  const shown = err.problems.slice(0, MAX_PROBLEMS);
  for (const p of shown) io.stderr(`${p}\n`);
  if (err.problems.length > shown.length) io.stderr(`… and ${err.problems.length - shown.length} more problems\n`);
  return 1;
}

export function readText(file: string, io: CliIo): string {
  try {
    return fs.readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError([`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`]);
  }
}

export interface JsonLine {
  line: number;
  value: Record<string, unknown>;
}

/**
 * Every non-blank line as a JSON object. `check` returns a reason for a bad object (or
 * null); all problems are collected before throwing, so nothing is written on bad input.
 */
export function readJsonl(file: string, io: CliIo, check?: (v: Record<string, unknown>) => string | null): JsonLine[] {
  const text = readText(file, io);
  const rows: JsonLine[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, k) => {
    const s = raw.replace(/\r$/, '').replace(/^\uFEFF/, '');
    if (s.trim() === '') return;
    const line = k + 1;
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch (err) {
      problems.push(`${file}:${line}: invalid JSON (${(err as Error).message})`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${file}:${line}: expected a JSON object`);
      return;
    }
    const obj = value as Record<string, unknown>;
    const reason = check?.(obj) ?? null;
    if (reason !== null) problems.push(`${file}:${line}: ${reason}`);
    else rows.push({ line, value: obj });
  });
  if (problems.length > 0) throw new InputError(problems);
  return rows;
}

export function readCsv(file: string, io: CliIo): CsvRecord[] {
  const text = readText(file, io);
  try {
    return parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new InputError([`${file}:${err.line}: ${err.message}`]);
    throw err;
  }
}

/** A JSONL id: a string or a finite number, as a string key. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}
