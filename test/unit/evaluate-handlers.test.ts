import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { geographicMedoid } from '../../electron/services/evaluate/baseline.js';
import { evaluateHandlers, type EvaluateHandlers } from '../../electron/services/evaluate/rpc-handlers.js';
import { completionsHandlers, type CompletionsHandlers } from '../../electron/services/completions/rpc-handlers.js';
import type { ProjectService } from '../../electron/services/project/project-service.js';
import { haversineKm } from '../../shared/geo/haversine.js';
import { accuracyReport } from '../../shared/metrics/accuracy.js';
import type { MethodName, ResultOf } from '../../shared/rpc/contract.js';
import { evaluateMethods } from '../../shared/rpc/evaluate-methods.js';
import { fakeGeo, openFixtureProject, parisPhotos, type Fixture } from '../helpers/completions-fixture.js';
import { callThroughContract } from '../helpers/contract-call.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let fx: Fixture;
let projects: ProjectService;
let evaluate: EvaluateHandlers;
let runsApi: CompletionsHandlers;

const call = <M extends MethodName>(method: M, params: unknown): Promise<ResultOf<M>> => callThroughContract({ ...evaluate, ...runsApi }, method, params);

const answer = (country: string, region: string, city: string, lat: number, lon: number): string =>
  `<think>why</think><answer>Country: ${country} State: ${region} City: ${city} Coordinates: (${lat}, ${lon})</answer>`;

const truthOf = (id: string): { lat: number; lon: number } => {
  const p = parisPhotos.find((x) => x.relPath.includes(id));
  if (!p) throw new Error(id);
  return p;
};
const km = (id: string, lat: number, lon: number): number => haversineKm(truthOf(id).lat, truthOf(id).lon, lat, lon);

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('georeason-evaluate-'));
  ({ fx, projects } = await openFixtureProject(dir, (built) => {
    // A photo without a point: never a ground-truth row.
    built.store.db.prepare("INSERT INTO images(dataset_id, rel_path, lat, lon, photo) VALUES (?, 'c/nowhere.jpg', NULL, NULL, 0)").run(built.datasetId);
  }));
  evaluate = evaluateHandlers(projects);
  runsApi = completionsHandlers(projects, { resourcesDir: '/nonexistent', geo: () => fakeGeo });
});
afterEach(() => {
  projects.close();
  cleanup();
});

async function importRows(name: string, rows: object[]): Promise<number> {
  const file = path.join(dir, `${name}.jsonl`);
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  return (await call('runs.importFile', { datasetId: fx.datasetId, source: file, name })).runId;
}

/** Two samples for paris-1, one per other photo; the point-less photo answered too. */
async function groupRun(): Promise<number> {
  return importRows('group', [
    { id: 'paris-1', text: answer('France', 'Île-de-France', 'Lyon', 45.764, 4.8357) }, // sample 0: ~392 km
    { id: 'paris-1', text: answer('France', 'Île-de-France', 'Paris', 48.8566, 2.3522) }, // sample 1: ~4.3 km
    { id: 'paris-2', text: 'no idea' }, // no point: a miss
    { id: 'biei', text: answer('Japan', 'Hokkaido', 'Asahikawa', 43.77, 142.37) }, // ~40 km
    { id: 'lyon', text: answer('Japan', 'Hokkaido', 'Asahikawa', 48.8566, 2.3522) }, // ~392 km
    { id: 'nowhere', text: answer('France', 'Île-de-France', 'Paris', 48.8566, 2.3522) },
  ]);
}

describe('evaluate RPC handlers', () => {
  it('answer exactly the methods of the evaluate group', () => {
    expect(Object.keys(evaluate).sort()).toEqual(Object.keys(evaluateMethods).sort());
  });

  it('measures sample 0 over all ground-truth rows, with chain levels and breakdowns', async () => {
    const runId = await groupRun();
    const e = await call('evaluate.run', { runId });
    expect(e.mode).toBe('first');
    expect(e.scope).toBe('run');
    expect(e.samplesPerPhoto).toEqual({ min: 1, max: 2 });
    expect(e.photos).toEqual({ counted: 4, withoutTruth: 1, unanswered: 0 });
    const expected = accuracyReport([km('paris-1', 45.764, 4.8357), null, km('biei', 43.77, 142.37), km('lyon', 48.8566, 2.3522)]);
    expect(e.overall.n).toBe(4);
    expect(e.overall.predicted).toBe(3);
    expect(e.overall.accuracy.map((a) => a.km)).toEqual([1, 25, 200, 750, 2500]);
    expect(Object.fromEntries(e.overall.accuracy.map((a) => [String(a.km), a.rate]))).toEqual(expected.accuracy);
    expect(e.overall.medianKm).toBe(expected.median_km);
    expect(e.overall.meanKm).toBeCloseTo(expected.mean_km!, 9);
    // Sample 0 of paris-1 names Lyon: country and region right, city wrong; paris-2 names nothing.
    expect(e.chain?.country).toEqual({ correct: 2, judged: 4, rate: 0.5 });
    expect(e.chain?.city).toEqual({ correct: 0, judged: 4, rate: 0 });
    expect(e.breakdowns.continent.map((r) => [r.label, r.n])).toEqual([
      ['Europe', 3],
      ['Asia', 1],
    ]);
    const fr = e.breakdowns.country.find((r) => r.key === 'FR');
    expect(fr).toMatchObject({ label: 'France (FR)', n: 3, predicted: 2 });
    expect(fr?.accuracy).toEqual([0, 0, 0, 2 / 3, 2 / 3]);
    expect(e.breakdowns.region.map((r) => r.key).sort()).toEqual(['FR/Auvergne-Rhône-Alpes', 'FR/Île-de-France', 'JP/Hokkaidō']);
    expect(e.breakdowns.region.find((r) => r.key === 'FR/Île-de-France')?.n).toBe(2);
    // CDF over all rows: tops out at 3/4 (one row has no point).
    expect(e.cdf.km).toHaveLength(e.cdf.share.length);
    expect(e.cdf.share.at(-1)).toBe(0.75);
    expect(e.cdf.share[e.cdf.km.indexOf(200)]).toBe(0.25);
    expect(e.map.total).toBe(4);
    expect(e.map.km.filter((d) => d === null)).toHaveLength(1);
  });

  it('offers best of G and the mean over samples, clearly apart', async () => {
    const runId = await groupRun();
    const best = await call('evaluate.run', { runId, mode: 'best' });
    expect(best.overall.n).toBe(4);
    expect(best.overall.accuracy[1]!.rate).toBe(0.25); // paris-1's second sample is within 25 km
    expect(best.chain?.city).toEqual({ correct: 1, judged: 4, rate: 0.25 });
    const mean = await call('evaluate.run', { runId, mode: 'mean' });
    expect(mean.overall.n).toBe(5); // every sample a row
    expect(mean.overall.accuracy[1]!.rate).toBe(0.2);
    expect(mean.map.total).toBe(4); // still one point per photo
  });

  it('counts unanswered photos as misses over the whole dataset', async () => {
    const runId = await importRows('half', [
      { id: 'paris-1', lat: 48.8566, lon: 2.3522 },
      { id: 'biei', lat: 43.452, lon: 142.615 },
    ]);
    const run = await call('evaluate.run', { runId });
    expect(run.overall.n).toBe(2);
    expect(run.overall.accuracy[1]!.rate).toBe(1);
    expect(run.chain).toBeNull(); // coordinates only: no chain to judge
    const all = await call('evaluate.run', { runId, scope: 'dataset' });
    expect(all.overall.n).toBe(4);
    expect(all.photos.unanswered).toBe(2);
    expect(all.overall.accuracy[1]!.rate).toBe(0.5);
    expect(all.overall.medianKm).toBe(run.overall.medianKm);
  });

  it('compares runs on the photos they all answered', async () => {
    const a = await groupRun();
    const b = await importRows('two', [
      { id: 'paris-1', lat: 48.8566, lon: 2.3522 },
      { id: 'lyon', lat: 45.764, lon: 4.8357 },
    ]);
    const c = await call('evaluate.compare', { runIds: [a, b] });
    expect(c.shared).toBe(2);
    expect(c.runs.map((r) => [r.run.id, r.answered, r.metrics.n])).toEqual([
      [a, 4, 2],
      [b, 2, 2],
    ]);
    // Run a on the shared photos only: paris-1 (sample 0, ~392 km) and lyon (~392 km).
    expect(c.runs[0]!.metrics.accuracy.map((x) => x.rate)).toEqual([0, 0, 0, 1, 1]);
    expect(c.runs[1]!.metrics.accuracy.map((x) => x.rate)).toEqual([0.5, 1, 1, 1, 1]);
    expect(c.runs[1]!.cdf).toHaveLength(c.cdfKm.length);
    await expect(call('evaluate.compare', { runIds: [a, a] })).rejects.toThrow(/two different runs/);
    await expect(call('evaluate.compare', { runIds: [a, 999] })).rejects.toThrow(/no run with id 999/);
  });

  it('adds the geographic prior baseline once, scored by the same code', async () => {
    const base = await call('evaluate.addBaseline', { datasetId: fx.datasetId });
    expect(base.name).toBe('Geographic prior baseline');
    expect(base.photos).toBe(5);
    // The medoid of Paris, Paris, Biei, Lyon is one of the Paris points.
    expect([parisPhotos[0]!.lat, parisPhotos[1]!.lat]).toContain(base.lat);
    expect(base.description).toMatch(/trivial prior baseline/);
    expect(base.description).toMatch(/4 true points/);
    const again = await call('evaluate.addBaseline', { datasetId: fx.datasetId });
    expect(again.runId).toBe(base.runId);
    expect(await call('runs.list', { datasetId: fx.datasetId })).toHaveLength(1);
    const detail = await call('runs.get', { id: base.runId });
    expect(detail.params.description).toBe(base.description);
    const e = await call('evaluate.run', { runId: base.runId });
    expect(e.run.description).toBe(base.description);
    const expected = accuracyReport(parisPhotos.map((p) => haversineKm(p.lat, p.lon, base.lat, base.lon)));
    expect(e.overall.n).toBe(4);
    expect(e.overall.medianKm).toBe(expected.median_km);
    expect(Object.fromEntries(e.overall.accuracy.map((a) => [String(a.km), a.rate]))).toEqual(expected.accuracy);
    await expect(call('evaluate.addBaseline', { datasetId: 999 })).rejects.toThrow(/no dataset with id 999/);
  });

  it('finds the medoid by brute force, and on a stride of a large set', () => {
    const lat = [0, 0, 0, 10];
    const lon = [0, 1, 2, 1];
    expect(geographicMedoid(lat, lon).index).toBe(1);
    const big = geographicMedoid(
      Array.from({ length: 9000 }, (_, i) => (i % 90) - 45),
      Array.from({ length: 9000 }, (_, i) => (i % 7) * 10),
      1000,
    );
    expect(big.used).toBeLessThanOrEqual(1000);
  });

  it('refuses an unknown run', async () => {
    await expect(call('evaluate.run', { runId: 12345 })).rejects.toThrow(/no run with id 12345/);
  });
});
