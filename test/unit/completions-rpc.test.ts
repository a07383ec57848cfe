import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract, type ResultOf } from '../../shared/rpc/contract.js';
import { completionsMethods } from '../../shared/rpc/completions-methods.js';
import { resourcesDir } from '../../electron/services/app-paths.js';
import { rebuildReviewedLabels } from '../../electron/services/audit/reviewed-labels.js';
import { completionsHandlers, type CompletionsHandlers } from '../../electron/services/completions/rpc-handlers.js';
import type { ProjectService } from '../../electron/services/project/project-service.js';
import { fakeGeo, openFixtureProject, type Fixture } from '../helpers/completions-fixture.js';
import { callThroughContract } from '../helpers/contract-call.js';
import { tempDir } from '../helpers/temp.js';

type Name = keyof typeof completionsMethods;

let dir: string;
let cleanup: () => void;
let fx: Fixture;
let projects: ProjectService;
let handlers: CompletionsHandlers;

const call = <M extends Name>(method: M, params: unknown): Promise<ResultOf<M>> => callThroughContract(handlers, method, params);

const answer = (country: string, region: string, city: string, lat: number, lon: number): string =>
  `<think>why</think><answer>Country: ${country} State: ${region} City: ${city} Coordinates: (${lat}, ${lon})</answer>`;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('georeason-runs-'));
  ({ fx, projects } = await openFixtureProject(dir));
  handlers = completionsHandlers(projects, { resourcesDir: '/nonexistent', geo: () => fakeGeo });
});
afterEach(() => {
  projects.close();
  cleanup();
});

async function importSample(): Promise<number> {
  const file = path.join(dir, 'run.jsonl');
  const rows = [
    { id: 'paris-1', text: answer('France', 'Île-de-France', 'Paris', 48.8566, 2.3522) }, // all right
    { id: 'paris-1', text: answer('France', 'Île-de-France', 'Lyon', 48.8566, 2.3522) }, // wrong city, inconsistent
    { id: 'paris-2', text: 'Somewhere in France, I think.' }, // no format, no point
    { id: 'biei', text: answer('Japan', 'Hokkaido', 'Asahikawa', 43.77, 142.37) }, // region right, city wrong, ~40 km
    { id: 'lyon', text: answer('Japan', 'Hokkaido', 'Asahikawa', 48.8566, 2.3522) }, // wrong country, point in France
  ];
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  const summary = await call('runs.importFile', { datasetId: fx.datasetId, source: file, model: 'qwen2.5-vl' });
  return summary.runId;
}

describe('completions RPC handlers', () => {
  it('answers exactly the methods of the completions group', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(completionsMethods).sort());
    for (const name of Object.keys(completionsMethods)) expect(name).toMatch(/^(runs|completions)\./);
  });

  it('summarises a run per level, by distance and by consistency', async () => {
    const runId = await importSample();
    const run = await call('runs.get', { id: runId });
    expect(run).toMatchObject({ kind: 'import', status: 'done', model: 'qwen2.5-vl', photos: 4, completions: 5, datasetName: 'fixture' });
    const a = run.accuracy;
    expect(a.country).toBeCloseTo(3 / 5);
    expect(a.region).toBeCloseTo(3 / 5);
    expect(a.city).toBeCloseTo(1 / 5);
    expect(a.formatOk).toBeCloseTo(4 / 5);
    expect(a.withCoordinates).toBeCloseTo(4 / 5);
    expect(a.accuracyAtKm.map((x) => x.km)).toEqual([1, 25, 200, 750, 2500]);
    expect(a.accuracyAtKm[1]!.rate).toBeCloseTo(2 / 5); // the two Paris answers, 4.3 km off
    expect(a.medianKm).toBeGreaterThan(4);
    expect(a.consistency.coordInCountry).toBeCloseTo(3 / 4);
    expect(a.consistency.inconsistent).toBeCloseTo(2 / 5);
    expect(await call('runs.list', { datasetId: fx.datasetId })).toHaveLength(1);
    expect(await call('runs.list', { datasetId: fx.datasetId + 1 })).toEqual([]);
  });

  it('says for each completion whether the store has its photo file, so the table requests no missing one', async () => {
    const runId = await importSample();
    const db = new Database(fx.store.path);
    db.prepare('UPDATE images SET photo = 0 WHERE rel_path = ?').run('b/lyon.jpg');
    db.close();
    const rows = (await call('completions.query', { runId, filter: {} })).rows;
    expect(new Set(rows.map((r) => `${r.relPath} ${r.photo}`))).toEqual(new Set(['a/paris-1.jpg 1', 'a/paris-2.jpg 1', 'b/biei.jpg 1', 'b/lyon.jpg 0']));
  });

  it('filters completions: format failed, wrong country, inconsistent chain, distance band; pages', async () => {
    const runId = await importSample();
    const q = (filter: object, offset = 0, limit = 50) => call('completions.query', { runId, filter, offset, limit });
    expect((await q({ formatFailed: true })).rows.map((r) => r.relPath)).toEqual(['a/paris-2.jpg']);
    expect((await q({ wrongCountry: true })).rows.map((r) => r.relPath)).toEqual(['a/paris-2.jpg', 'b/lyon.jpg']);
    const inconsistent = await q({ inconsistent: true });
    expect(inconsistent.rows.map((r) => [r.relPath, r.sample])).toEqual([
      ['a/paris-1.jpg', 1],
      ['b/lyon.jpg', 0],
    ]);
    expect(inconsistent.rows[0]).toMatchObject({ city: 'Lyon', cityOk: false, coordInCountry: true, coordInRegion: true, coordRegion: 'Île-de-France' });
    expect(inconsistent.rows[0]!.cityCoordKm).toBeGreaterThan(380);
    expect((await q({ kmMin: 10, kmMax: 100 })).rows.map((r) => r.relPath)).toEqual(['b/biei.jpg']);
    const page = await q({}, 1, 2);
    expect(page).toMatchObject({ total: 5, offset: 1 });
    expect(page.rows.map((r) => r.sample)).toEqual([1, 0]);
    expect(page.rows[0]).toMatchObject({ reasoning: 'why', truthLat: 48.8584, truthLon: 2.2945, formatOk: true });
  });

  it('returns all samples of one photo with the true point and the current label (a review wins)', async () => {
    const runId = await importSample();
    const [paris1] = fx.imageIds;
    const one = await call('completions.forImage', { runId, imageId: paris1 });
    expect(one).toMatchObject({ relPath: 'a/paris-1.jpg', lat: 48.8584, truth: { source: 'gazetteer', country: 'France', city: 'Paris' } });
    expect(one.completions.map((c) => c.sample)).toEqual([0, 1]);
    const db = projects.requireStore().db;
    db.prepare("INSERT INTO label_reviews(image_id, verdict, before_json, after_json, at) VALUES (?, 'edited', NULL, ?, 'now')").run(
      paris1,
      JSON.stringify({ countryCode: 'FR', country: 'France', region: 'Île-de-France', city: 'Boulogne-Billancourt' }),
    );
    // Written behind the review store's back: derive the current labels as the migration does.
    rebuildReviewedLabels(db);
    const reviewed = await call('completions.forImage', { runId, imageId: paris1 });
    expect(reviewed.truth).toMatchObject({ source: 'review', city: 'Boulogne-Billancourt' });
  });

  it('deletes a run with its completions', async () => {
    const runId = await importSample();
    expect(await call('runs.delete', { id: runId })).toEqual({ deleted: true });
    expect(projects.requireStore().db.prepare('SELECT COUNT(*) FROM completions').pluck().get()).toBe(0);
    expect(await call('runs.delete', { id: runId })).toEqual({ deleted: false });
    await expect(call('runs.get', { id: runId })).rejects.toThrow(/no run with id/);
  });

  it('offers the Geo-R and GLOBE prompts', async () => {
    const presets = await call('runs.promptPresets', {});
    expect(presets.map((p) => p.id)).toEqual(['geo-r-cor', 'globe']);
    expect(presets[0]!.user).toContain('1. Country\n2. State / Administrative Region\n3. City or Place\n4. Coordinates (latitude, longitude)');
    expect(presets[1]!.user).toContain('country: [country name]\ncity: [city name]');
  });

  it('validates params: a live run needs an http(s) endpoint and sane sampling', () => {
    const p = contract['runs.startLive'].params;
    const base = { datasetId: 1, endpoint: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' }, template: { user: 'x' } };
    const parsed = p.parse(base);
    expect(parsed.sampling).toEqual({ n: 1, temperature: 1, topP: 1, maxTokens: 512 });
    expect(parsed.request.imageMaxSide).toBe(768);
    expect(p.safeParse({ ...base, endpoint: { baseUrl: 'file:///etc/passwd', model: 'm' } }).success).toBe(false);
    expect(p.safeParse({ ...base, sampling: { n: 0 } }).success).toBe(false);
    expect(p.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });
});

describe('checks with the shipped gazetteer', () => {
  it('reverse-geocodes predicted points and finds predicted cities', async () => {
    handlers = completionsHandlers(projects, { resourcesDir });
    const runId = await importSample();
    const rows = (await call('completions.query', { runId, filter: {} })).rows;
    const byKey = new Map(rows.map((r) => [`${r.relPath}#${r.sample}`, r]));
    expect(byKey.get('a/paris-1.jpg#0')).toMatchObject({ countryOk: true, coordInCountry: true, coordInRegion: true, coordCountry: 'France' });
    expect(byKey.get('a/paris-1.jpg#0')!.cityCoordKm).toBeLessThan(2);
    expect(byKey.get('b/biei.jpg#0')).toMatchObject({ countryOk: true, coordInCountry: true, coordInRegion: true });
    expect(byKey.get('b/lyon.jpg#0')).toMatchObject({ countryOk: false, coordInCountry: false });
  }, 30_000);
});
