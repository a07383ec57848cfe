/**
 * `georeason jobs`: the experiment store from the command line. Without a subcommand it
 * lists a project's jobs with their status and final metrics; `jobs export` writes one
 * job as a run record file; `jobs import` adds a record file as a read-only job.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportRecord, importRecord, parseRecordText, runsTable } from '../../services/jobs/run-records.js';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = [
  'georeason jobs --project <file> [--json]',
  '       georeason jobs export --project <file> --id <N> -o <run.json>',
  '       georeason jobs import --project <file> <run.json> [--json]',
].join('\n');

function withProject<T>(file: string | undefined, fn: (store: ProjectStore) => T): T {
  if (!file) throw new UsageError('--project <file> is required');
  const store = ProjectStore.open(file);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function list(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, options: { project: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  return withProject(values.project, (store) => {
    const rows = runsTable(store.db);
    if (values.json) {
      io.stdout(`${JSON.stringify({ jobs: rows.map(({ settings: _s, ...r }) => r) })}\n`);
      return 0;
    }
    if (rows.length === 0) io.stdout('no jobs yet\n');
    for (const r of rows) {
      const finals = Object.entries(r.final)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(' ');
      const progress = r.step !== null ? ` step ${r.step}${r.total ? `/${r.total}` : ''}` : '';
      io.stdout(`${String(r.id).padStart(4)}  ${r.status.padEnd(9)} ${r.recipe}  ${r.name}${r.imported ? '  [imported]' : ''}${progress}${finals ? `  ${finals}` : ''}\n`);
    }
    return 0;
  });
}

function exportJob(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: { project: { type: 'string' }, id: { type: 'string' }, out: { type: 'string', short: 'o' } },
    strict: true,
  });
  const id = Number(values.id);
  if (!values.id || !Number.isInteger(id) || id <= 0) throw new UsageError('--id <N> (a job id) is required');
  if (!values.out) throw new UsageError('-o <run.json> is required');
  const out = path.resolve(io.cwd, values.out);
  return withProject(values.project, (store) => {
    const record = exportRecord(store.db, store.path, id);
    fs.writeFileSync(out, `${JSON.stringify(record)}\n`);
    io.stdout(`job ${id} (${record.job.name}, ${record.job.status}) → ${out}: ${record.metrics.length} metric points, ${record.manifest?.imageIds.length ?? 0} manifest rows\n`);
    return 0;
  });
}

function importJob(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args, options: { project: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('name one run record file');
  const file = path.resolve(io.cwd, positionals[0]!);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot be read (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const raw = parseRecordText(text, file);
  return withProject(values.project, (store) => {
    const info = importRecord(store.db, raw, file);
    if (values.json) io.stdout(`${JSON.stringify(info)}\n`);
    else io.stdout(`imported ${file} as job ${info.id} (${info.name}, ${info.status}, read-only)\n`);
    return 0;
  });
}

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: "list a project's training jobs with their final metrics; export or import run records",
  usage: USAGE,
  run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'export') return Promise.resolve(exportJob(rest, io));
    if (sub === 'import') return Promise.resolve(importJob(rest, io));
    if (sub !== undefined && !sub.startsWith('-')) throw new UsageError(`unknown subcommand '${sub}' (export, import, or none to list)`);
    return Promise.resolve(list(args, io));
  },
};
