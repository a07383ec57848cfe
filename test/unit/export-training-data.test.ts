/**
 * Export of training data from reviewed labels, read back the way each trainer
 * reads it:
 * - LLaMA-Factory: dataset_info.json entries (file_name, formatting "sharegpt",
 *   columns messages/images, tags role/content/user/assistant) and the ShareGPT
 *   converter's rules: user/assistant turns alternate starting with the user, one
 *   `<image>` token per image, image paths under the media folder.
 * - VLM-R1 grpo_jsonl.py: one JSON object per line with id, image (str) and two
 *   conversations turns (human with `<image>`, gpt with the solution).
 * - ms-swift: messages (role/content), images, GLOBE's solution (country<TAB>city) and the workbench's columns.
 * Labels: rejected left out, edits used, unreviewed from the gazetteer; the split is
 * seeded; photos not present are exported with a warning unless only-present.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCompletion } from '../../shared/parse/completion.js';
import type { CliIo } from '../../electron/cli/command.js';
import { exportCommand } from '../../electron/cli/commands/export.js';
import { globeSolution } from '../../electron/services/audit/export/formats.js';
import { auditPhotos, call, openTempAuditFixture, type TempAuditFixture } from '../helpers/audit-fixture.js';

let fx: TempAuditFixture;
let out: string;

beforeEach(async () => {
  fx = openTempAuditFixture('georeason-export-');
  out = path.join(fx.dir, 'out');
  const [tokyo, border, , biei] = fx.imageIds as [number, number, number, number];
  await call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
  await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: 'FR-GES', region: null, city: 'Wissembourg' } });
  await call(fx, 'audit.review', { imageId: biei, verdict: 'rejected' });
});
afterEach(() => fx.close());

const readJsonl = (file: string): Record<string, unknown>[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

interface Turn {
  [k: string]: unknown;
}

/** LLaMA-Factory's sharegpt loading, as its data/README documents it, for one dataset_info entry. */
function readLlamaFactory(dir: string, name: string): { messages: Turn[]; images: string[] }[] {
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'dataset_info.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const entry = info[name];
  if (!entry) throw new Error(`dataset_info.json has no entry ${name}`);
  expect(entry.formatting).toBe('sharegpt');
  const columns = entry.columns as Record<string, string>;
  const tags = entry.tags as Record<string, string>;
  expect(Object.keys(columns).sort()).toEqual(['images', 'messages']);
  expect(tags).toEqual({ role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' });
  const rows = JSON.parse(fs.readFileSync(path.join(dir, entry.file_name as string), 'utf8')) as Record<string, unknown>[];
  expect(Array.isArray(rows)).toBe(true);
  return rows.map((row) => {
    const messages = row[columns.messages as string] as Turn[];
    const images = row[columns.images as string] as string[];
    expect(Array.isArray(messages) && messages.length % 2 === 0).toBe(true);
    messages.forEach((m, i) => {
      // Odd turns (1st, 3rd, …) are the user's, even turns the assistant's.
      expect(m[tags.role_tag as string]).toBe(i % 2 === 0 ? tags.user_tag : tags.assistant_tag);
      expect(typeof m[tags.content_tag as string]).toBe('string');
    });
    const tokens = messages.map((m) => String(m[tags.content_tag as string]).split('<image>').length - 1).reduce((a, b) => a + b, 0);
    expect(tokens).toBe(images.length);
    return { messages, images };
  });
}

describe('export', () => {
  it('writes LLaMA-Factory ShareGPT JSON with dataset_info.json, from reviewed labels', async () => {
    const summary = await call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'llamafactory', outDir: out, valFraction: 0.25, seed: 1, name: 'geo' });
    // 6 photos: biei rejected, the ocean point has no country → 4 exported; 1 validation.
    expect(summary).toMatchObject({ train: 3, val: 1, skippedRejected: 1, skippedNoLabel: 1, fromReview: 2, fromGazetteer: 2, missingPhotoWarnings: 0 });
    const train = readLlamaFactory(out, 'geo_train');
    const val = readLlamaFactory(out, 'geo_val');
    const all = [...train, ...val];
    expect(all).toHaveLength(4);
    const answers = new Map(all.map((r) => [r.images[0], String(r.messages[1]?.content)]));
    expect(answers.get('a/border.jpg')).toBe('Country: France State: Grand Est City: Wissembourg Coordinates: (49.000000, 8.200000)');
    expect(answers.get('a/tokyo.jpg')).toBe('Country: Japan State: Tokyo City: Tokyo Coordinates: (35.681200, 139.767100)');
    expect(answers.has('b/biei.jpg')).toBe(false);
    // The answer is what Geo-R's parser and format reward expect.
    const parsed = parseCompletion(`<answer>${answers.get('c/paris.jpg') ?? ''}</answer>`);
    expect(parsed).toMatchObject({ country: 'France', region: 'Île-de-France', city: 'Paris', lat: 48.8584, lon: 2.2945, format_ok: true });
    expect(String(all[0]?.messages[0]?.content)).toMatch(/^<image>You are a geographic reasoning agent/);
    // Media paths resolve under the dataset's image folder.
    for (const r of all) expect(fs.existsSync(path.join(fx.imagesDir, r.images[0] ?? ''))).toBe(true);
  });

  it('keeps the same split for the same seed and merges into an existing dataset_info.json', async () => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'dataset_info.json'), JSON.stringify({ other: { file_name: 'x.json' } }));
    const p = { datasetId: fx.datasetId, format: 'llamafactory', outDir: out, valFraction: 0.5, seed: 9, name: 'geo' };
    await call(fx, 'audit.export', p);
    const first = fs.readFileSync(path.join(out, 'geo_val.json'), 'utf8');
    await call(fx, 'audit.export', p);
    expect(fs.readFileSync(path.join(out, 'geo_val.json'), 'utf8')).toBe(first);
    const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset_info.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['geo_train', 'geo_val', 'other']);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes VLM-R1 JSONL as grpo_jsonl.py reads it, with paths relative to a chosen root', async () => {
    const summary = await call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'vlm-r1', outDir: out, valFraction: 0, imageRoot: fx.dir, name: 'geo' });
    expect(summary.files.map((f) => path.basename(f))).toEqual(['geo_train.jsonl']);
    const rows = readJsonl(path.join(out, 'geo_train.jsonl'));
    expect(rows).toHaveLength(4);
    for (const item of rows) {
      expect(Object.keys(item).sort()).toEqual(['conversations', 'id', 'image']);
      expect(typeof item.id).toBe('number');
      const image = item.image as string;
      expect(image.startsWith('images/')).toBe(true);
      expect(fs.existsSync(path.join(fx.dir, image))).toBe(true);
      const conv = item.conversations as { from: string; value: string }[];
      expect(conv.map((c) => c.from)).toEqual(['human', 'gpt']);
      // grpo_jsonl.py: problem = first turn without <image>, solution = second turn.
      const problem = conv[0]?.value.replace('<image>', '') ?? '';
      expect(problem).toContain('four levels');
      const solution = parseCompletion(conv[1]?.value ?? '');
      expect(solution.format_ok).toBe(true);
      expect(solution.lat).not.toBeNull();
    }
  });

  it('writes ms-swift JSONL with the solution columns, and leaves out missing photos when asked', async () => {
    // Make Paris's photo missing.
    fx.projects.requireStore().db.prepare('UPDATE images SET photo = 0 WHERE id = ?').run(fx.imageIds[4]);
    const all = await call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'swift', outDir: out, valFraction: 0, name: 'geo' });
    expect(all.missingPhotoWarnings).toBe(1);
    expect(all.warnings.join(' ')).toMatch(/not present locally/);
    const only = await call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'swift', outDir: out, valFraction: 0, onlyPresent: true, name: 'geo' });
    expect(only).toMatchObject({ train: 3, skippedMissingPhoto: 1, missingPhotoWarnings: 0 });
    const rows = readJsonl(path.join(out, 'geo_train.jsonl'));
    for (const row of rows) {
      const messages = row.messages as { role: string; content: string }[];
      expect(messages.map((m) => m.role)).toEqual(['user']);
      expect((messages[0]?.content ?? '').split('<image>').length - 1).toBe((row.images as string[]).length);
      expect(typeof row.solution).toBe('string');
      expect(typeof row.lat).toBe('number');
      expect(typeof row.country).toBe('string');
    }
    expect(rows.find((r) => (r.images as string[])[0] === 'a/border.jpg')).toMatchObject({ country: 'France', city: 'Wissembourg', lat: 49, lon: 8.2 });
    // GLOBE's plug-in (examples/train/grpo/globe/plugin.py @ cfc439b): gt_country, gt_city = sol.split("\t").
    for (const row of rows) {
      const parts = (row.solution as string).split('\t');
      expect(parts).toHaveLength(2);
      expect(parts[0]).toBe(row.country);
      expect(parts[1]).toBe(row.city ?? '');
      expect(parseCompletion(row.answer as string).format_ok).toBe(true);
    }
  });

  it("GLOBE's solution always splits into exactly two names", () => {
    expect(globeSolution('Japan', 'Biei')).toBe('Japan\tBiei');
    expect(globeSolution('Japan', null)).toBe('Japan\t');
    expect(globeSolution('A\tB', 'C\r\nD').split('\t')).toEqual(['A B', 'C D']);
  });

  it('exports a subset, with a custom template, and refuses bad templates', async () => {
    const db = fx.projects.requireStore().db;
    db.prepare("INSERT INTO subsets(id, dataset_id, name, kind, created_at) VALUES (1, ?, 'two', 'manual', 'now')").run(fx.datasetId);
    for (const i of [0, 5]) db.prepare('INSERT INTO subset_members(subset_id, image_id) VALUES (1, ?)').run(fx.imageIds[i]);
    const s = await call(fx, 'audit.export', {
      datasetId: fx.datasetId,
      format: 'vlm-r1',
      outDir: out,
      subset: 'two',
      valFraction: 0,
      template: "{'LOC': [{lat}, {lon}]} {country_code}",
    });
    expect(s.train).toBe(2);
    const rows = readJsonl(path.join(out, 'mp16_sample_two_train.jsonl'));
    expect((rows[0]?.conversations as { value: string }[])[1]?.value).toBe("{'LOC': [35.681200, 139.767100]} JP");
    await expect(call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'swift', outDir: out, template: 'City: {town}' })).rejects.toThrow(/unknown placeholder \{town\}/);
    await expect(call(fx, 'audit.export', { datasetId: fx.datasetId, format: 'swift', outDir: out, subset: 'nope' })).rejects.toThrow(/no subset named 'nope'/);
  });
});

describe('georeason export (CLI)', () => {
  it('exports by dataset name with the documented options, and explains mistakes', async () => {
    const file = fx.projects.requireStore().path;
    fx.projects.close();
    const lines: string[] = [];
    const errs: string[] = [];
    const io: CliIo = { stdout: (t) => void lines.push(t), stderr: (t) => void errs.push(t), cwd: fx.dir, env: {} };
    fs.writeFileSync(path.join(fx.dir, 'tpl.txt'), 'Country: {country} City: {city} Coordinates: ({lat}, {lon})\n');
    const code = await exportCommand.run(
      ['--project', file, '--dataset', 'MP16 sample', '--format', 'llamafactory', '-o', 'cli-out', '--val-fraction', '0.25', '--seed', '3', '--template', 'tpl.txt', '--image-root', '.'],
      io,
    );
    expect(errs.join('')).toBe('warning: 1 photo without a country or a point left out\n');
    expect(code).toBe(0);
    expect(lines.join('')).toMatch(/exported 3 train \+ 1 validation rows \(llamafactory\) from 'MP16 sample': 2 reviewed, 2 gazetteer; left out 1 rejected/);
    const rows = readLlamaFactory(path.join(fx.dir, 'cli-out'), 'mp16_sample_train');
    expect(rows[0]?.images[0]).toMatch(/^images\//);
    expect(String(rows[0]?.messages[1]?.content)).toMatch(/^Country: \S+ City: .+ Coordinates: \(/);
    await expect(exportCommand.run(['--project', file, '--dataset', 'x', '--format', 'csv', '-o', 'o'], io)).rejects.toThrow(/--format must be/);
    await expect(exportCommand.run(['--project', file, '--dataset', 'x', '--format', 'swift', '-o', 'o'], io)).rejects.toThrow(/no dataset 'x'.*1 'MP16 sample'/);
    expect(auditPhotos).toHaveLength(6);
  });

  it("vlm-r1: says how many rows have no photo here and that grpo_jsonl.py's assert aborts the run", async () => {
    const db = fx.projects.requireStore().db;
    db.prepare('UPDATE images SET photo = 0 WHERE id IN (?, ?)').run(fx.imageIds[4], fx.imageIds[5]);
    const file = fx.projects.requireStore().path;
    fx.projects.close();
    const lines: string[] = [];
    const errs: string[] = [];
    const io: CliIo = { stdout: (t) => void lines.push(t), stderr: (t) => void errs.push(t), cwd: fx.dir, env: {} };
    expect(await exportCommand.run(['--project', file, '--dataset', 'MP16 sample', '--format', 'vlm-r1', '-o', 'v-out', '--val-fraction', '0'], io)).toBe(0);
    const warned = errs.join('');
    expect(warned).toMatch(/warning: 2 exported rows have no photo on this machine: VLM-R1's grpo_jsonl\.py asserts that every image path exists .*aborts the whole run.*--only-present/);
    expect(lines.join('')).toMatch(/2 exported without a photo on this machine/);
    errs.length = 0;
    lines.length = 0;
    expect(await exportCommand.run(['--project', file, '--dataset', 'MP16 sample', '--format', 'vlm-r1', '-o', 'v-out', '--val-fraction', '0', '--only-present'], io)).toBe(0);
    expect(errs.join('')).not.toMatch(/grpo_jsonl/);
    expect(lines.join('')).toMatch(/left out .* 2 without photo/);
  });
});
