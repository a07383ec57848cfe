/**
 * `georeason export`: training data from a project's reviewed labels, for
 * LLaMA-Factory (SFT, ShareGPT JSON + dataset_info.json), VLM-R1 (Geo-R GRPO JSONL)
 * or ms-swift (GLOBE GRPO JSONL). Rejected labels are left out, edits used,
 * unreviewed photos take the gazetteer's label.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExportFormat } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { runExport } from '../../services/audit/export/run-export.js';
import { DEFAULT_TEMPLATE } from '../../services/audit/export/template.js';
import { createTaskContext } from '../../services/rpc/task-context.js';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand } from '../command.js';

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export SFT/GRPO training data (LLaMA-Factory, VLM-R1, ms-swift) from reviewed labels',
  usage: [
    'georeason export --project <file> --dataset <id|name> --format llamafactory|vlm-r1|swift -o <dir>',
    '                 [--subset <name>] [--val-fraction 0.05] [--seed 42] [--image-root <dir>]',
    '                 [--only-present] [--template <file>] [--prompt <file>] [--name <base>]',
    '',
    'Labels: the latest review (rejected left out, edits used), else the gazetteer.',
    `Default answer template (Geo-R): ${DEFAULT_TEMPLATE}`,
    'Template placeholders: {country} {country_code} {region} {region_code} {city} {lat} {lon}.',
    'Image paths are written relative to --image-root (default: the dataset\'s image folder).',
    'Rows whose photo is not present locally are exported with a warning; --only-present leaves them out.',
    "VLM-R1's grpo_jsonl.py aborts the whole run when any image path is missing: export with --only-present",
    'unless the training machine has every photo.',
    'Trainers: LLaMA-Factory resolves image paths against media_dir (default: its dataset_dir); VLM-R1 against',
    '--image_folders; ms-swift against its working folder. Point them at the --image-root you chose.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        project: { type: 'string' },
        dataset: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        subset: { type: 'string' },
        'val-fraction': { type: 'string' },
        seed: { type: 'string' },
        'image-root': { type: 'string' },
        'only-present': { type: 'boolean', default: false },
        template: { type: 'string' },
        prompt: { type: 'string' },
        name: { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
    if (!values.project) throw new UsageError('--project <file> is required');
    if (!values.dataset) throw new UsageError('--dataset <id|name> is required');
    if (!values.output) throw new UsageError('-o <dir> is required');
    const format = ExportFormat.safeParse(values.format);
    if (!format.success) throw new UsageError('--format must be llamafactory, vlm-r1 or swift');
    if (values.name !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(values.name)) throw new UsageError('--name is 1-64 letters, digits, _ . or -');
    const valFraction = numberOption(values['val-fraction'], 'val-fraction', 0, 0.9) ?? 0.05;
    const seed = numberOption(values.seed, 'seed', -2147483648, 2147483647) ?? 42;
    if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
    const readText = (file: string | undefined, what: string): string | undefined => {
      if (file === undefined) return undefined;
      const p = path.resolve(io.cwd, file);
      if (!fs.existsSync(p)) throw new RpcError(ErrorCode.NotFound, `${what} ${file}: no such file`);
      const text = fs.readFileSync(p, 'utf8').replace(/\r?\n$/, '');
      if (text.trim() === '') throw new RpcError(ErrorCode.BadInput, `${what} ${file} is empty`);
      return text;
    };
    const template = readText(values.template, 'template');
    const prompt = readText(values.prompt, 'prompt');
    const projectPath = path.resolve(io.cwd, values.project);
    if (!fs.existsSync(projectPath)) throw new RpcError(ErrorCode.NotFound, `${values.project}: no such project file`);

    const store = ProjectStore.open(projectPath);
    try {
      const datasets = store.db.prepare('SELECT id, name FROM datasets ORDER BY id').all() as { id: number; name: string }[];
      const wanted = values.dataset;
      const dataset = datasets.find((d) => d.name === wanted) ?? (/^\d+$/.test(wanted) ? datasets.find((d) => d.id === Number(wanted)) : undefined);
      if (!dataset) {
        const known = datasets.map((d) => `${d.id} '${d.name}'`).join(', ') || 'none';
        throw new RpcError(ErrorCode.NotFound, `no dataset '${wanted}' in ${values.project} (datasets: ${known})`);
      }
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        const summary = runExport(
          store.db,
          {
            datasetId: dataset.id,
            format: format.data,
            outDir: path.resolve(io.cwd, values.output),
            subset: values.subset,
            valFraction,
            seed,
            imageRoot: values['image-root'] === undefined ? undefined : path.resolve(io.cwd, values['image-root']),
            onlyPresent: values['only-present'],
            template,
            prompt,
            name: values.name,
          },
          createTaskContext(null, abort.signal, () => undefined),
        );
        io.stdout(
          `exported ${summary.train} train + ${summary.val} validation rows (${format.data}) from '${dataset.name}': ` +
            `${summary.fromReview} reviewed, ${summary.fromGazetteer} gazetteer; left out ${summary.skippedRejected} rejected, ` +
            `${summary.skippedNoLabel} unlabelled, ${summary.skippedMissingPhoto} without photo` +
            `${summary.missingPhotoWarnings > 0 ? `; ${summary.missingPhotoWarnings} exported without a photo on this machine` : ''}\n`,
        );
        for (const f of summary.files) io.stdout(`  ${f}\n`);
        for (const w of summary.warnings) io.stderr(`warning: ${w}\n`);
        return 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    } finally {
      store.close();
    }
  },
};
