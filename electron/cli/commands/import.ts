import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { importDataset } from '../../services/datasets/import-dataset.js';
import { ImportError } from '../../services/datasets/problems.js';
import type { ImportResult } from '../../services/datasets/types.js';
import { createTaskContext } from '../../services/rpc/task-context.js';
import { cacheDirFor, normaliseProjectPath } from '../../services/store/project-file.js';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand } from '../command.js';

const n = (x: number): string => x.toLocaleString('en-US');

export function summaryLine(r: ImportResult): string {
  const parts = [
    `imported ${n(r.rows)} rows into dataset '${r.name}' (id ${r.datasetId}, ${r.format})`,
    `${n(r.labeled)} labelled`,
    `${n(r.photosPresent)} photos present, ${n(r.photosMissing)} missing`,
  ];
  if (r.skippedBad > 0) parts.push(`${n(r.skippedBad)} bad rows skipped`);
  if (r.skippedNoGps > 0) parts.push(`${n(r.skippedNoGps)} without GPS`);
  if (r.unreadable > 0) parts.push(`${n(r.unreadable)} unreadable`);
  parts.push(`${(r.durationMs / 1000).toFixed(1)} s`);
  return parts.join(', ');
}

function removeProject(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  fs.rmSync(cacheDirFor(file), { recursive: true, force: true });
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a dataset (CSV, VLM-R1/Geo-R JSON(L), or a folder of photos with GPS), labelling every point',
  usage: 'georeason import --project <file> <metadata-file-or-folder> [--images <dir>] [--name <name>] [--no-label] [--skip-bad]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        project: { type: 'string' },
        images: { type: 'string' },
        name: { type: 'string' },
        'no-label': { type: 'boolean', default: false },
        'skip-bad': { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    if (!values.project) throw new UsageError('--project <file> is required');
    if (positionals.length !== 1) throw new UsageError('give exactly one metadata file or photo folder');
    const source = path.resolve(io.cwd, positionals[0] as string);
    if (!fs.existsSync(source)) throw new RpcError(ErrorCode.NotFound, `${source}: no such file or folder`);
    const projectPath = normaliseProjectPath(path.resolve(io.cwd, values.project));

    // Create the project when it is new; opening migrates an older one before the worker starts.
    const created = !fs.existsSync(projectPath);
    (created ? ProjectStore.create(projectPath) : ProjectStore.open(projectPath)).close();
    if (created) io.stderr(`created ${projectPath}\n`);

    const tty = process.stderr.isTTY === true && io.env.CI === undefined;
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    const task = createTaskContext(null, abort.signal, (done, total, message) => {
      if (!tty) return;
      const pct = total ? ` ${Math.floor((100 * done) / total)}%` : '';
      io.stderr(`\r\x1b[K${message}${pct}`);
    });
    try {
      const result = await importDataset(
        projectPath,
        {
          source,
          imagesDir: values.images === undefined ? undefined : path.resolve(io.cwd, values.images),
          name: values.name,
          label: !values['no-label'],
          skipBad: values['skip-bad'],
        },
        task,
      );
      if (tty) io.stderr('\r\x1b[K');
      for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
      io.stdout(`${summaryLine(result)}\n`);
      return 0;
    } catch (err) {
      if (tty) io.stderr('\r\x1b[K');
      // A project made for this import goes again: unchanged means not there.
      if (created) removeProject(projectPath);
      if (err instanceof ImportError) {
        io.stderr(`${err.message}\nnothing was imported; ${created ? 'no project was created' : 'the project is unchanged'}\n`);
        return 1;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
