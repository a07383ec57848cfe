/**
 * `georeason label <in.csv> [-o out.csv]`: Chain-of-Region labels for a CSV of points,
 * read as `import` reads a dataset CSV (see geo/label-csv.ts).
 * Output is all or nothing: a bad row fails the run (unless --skip-bad, which leaves the
 * bad rows out) and no output is written; with -o the file is written to a temporary
 * name and renamed at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resourcesDir } from '../../services/app-paths.js';
import { LabelInputError, OUTPUT_COLUMNS, labelToCsv, openLabelInput } from '../../services/datasets/label-csv.js';
import { loadLabeler, type LabelerOptions } from '../../services/geo/labeler.js';
import { UsageError, type CliCommand } from '../command.js';

/** At most this many bad rows are listed; the rest are counted. */
const MAX_REPORTED = 50;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number`);
  return n;
}

export const labelCommand: CliCommand = {
  name: 'label',
  summary: 'reverse-geocode a CSV of points into Chain-of-Region labels with flags',
  usage: [
    'georeason label <in.csv> [-o out.csv] [--skip-bad]',
    '                [--near-border-km 5] [--far-city-km 25] [--coast-km 5]',
    '',
    'Input: a CSV with a header row, read as `georeason import` reads one: an id column (IMG_ID, IMG_FILE,',
    'id, image, file, path…), a latitude (LAT, latitude) and a longitude (LON, lng, longitude); other',
    'columns are ignored; quoted fields may hold commas and line breaks.',
    `Output columns: ${OUTPUT_COLUMNS.join(',')} (flags joined by ';'). Without -o: stdout.`,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        'skip-bad': { type: 'boolean', default: false },
        'near-border-km': { type: 'string' },
        'far-city-km': { type: 'string' },
        'coast-km': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('expected one input file');
    const input = path.resolve(io.cwd, positionals[0] ?? '');
    const shown = positionals[0] ?? input;
    if (!fs.existsSync(input)) {
      io.stderr(`${shown}: no such file\n`);
      return 1;
    }
    const options: Partial<LabelerOptions> = {};
    const nb = numberOption(values['near-border-km'], 'near-border-km');
    const fc = numberOption(values['far-city-km'], 'far-city-km');
    const ck = numberOption(values['coast-km'], 'coast-km');
    if (nb !== undefined) options.nearBorderKm = nb;
    if (fc !== undefined) options.farCityKm = fc;
    if (ck !== undefined) options.coastKm = ck;
    const labeler = loadLabeler(resourcesDir, options);

    const output = values.output ? path.resolve(io.cwd, values.output) : null;
    const temp = output ? `${output}.${process.pid}.tmp` : null;
    const sink = temp ? fs.createWriteStream(temp) : null;
    const buffered: string[] = [];
    const write = (line: string): void => {
      if (sink) sink.write(`${line}\n`);
      else buffered.push(line);
    };

    let bad = 0;
    let labelled = 0;
    let fatal = false;
    const report = (line: number | null, reason: string): void => {
      bad++;
      if (bad <= MAX_REPORTED) io.stderr(`${shown}${line !== null ? `:${line}` : ''}: ${reason}\n`);
    };
    try {
      const source = await openLabelInput(input);
      for (const w of source.warnings) io.stderr(`${shown}: ${w}\n`);
      write(OUTPUT_COLUMNS.join(','));
      for await (const row of source.rows) {
        if (!row.ok) {
          report(row.line, row.reason);
          continue;
        }
        if (bad > 0 && !values['skip-bad']) continue; // keep reporting, stop labelling
        write(labelToCsv(row.id, labeler.label(row.lat, row.lon)));
        labelled++;
      }
    } catch (err) {
      if (!(err instanceof LabelInputError)) throw err;
      report(err.line, err.message);
      fatal = true;
    } finally {
      if (sink) await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    if (bad > MAX_REPORTED) io.stderr(`${shown}: ${bad - MAX_REPORTED} more bad rows not listed\n`);
    const failed = fatal || (bad > 0 && !values['skip-bad']);
    if (failed) {
      if (temp) fs.rmSync(temp, { force: true });
      io.stderr(fatal ? `${shown}: nothing written\n` : `${shown}: ${bad} bad row${bad === 1 ? '' : 's'}; nothing written (use --skip-bad to label the rest)\n`);
      return 1;
    }
    if (output && temp) fs.renameSync(temp, output);
    else io.stdout(buffered.length > 0 ? `${buffered.join('\n')}\n` : '');
    if (bad > 0) io.stderr(`${shown}: skipped ${bad} bad row${bad === 1 ? '' : 's'}, labelled ${labelled}\n`);
    return 0;
  },
};
