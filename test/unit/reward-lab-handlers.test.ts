/**
 * The Reward Lab's RPC handlers: built-in presets and saved specs (create, rename,
 * overwrite, delete, validation errors), and a run's completions as columns (km with
 * NaN for no coordinate, format flags, GLOBE label flags, GRPO group offsets, bands,
 * countries) that re-score to the same rewards as scoring each completion.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionsHandlers, type CompletionsHandlers } from '../../electron/services/completions/rpc-handlers.js';
import type { ProjectService } from '../../electron/services/project/project-service.js';
import { rewardHandlers, type RewardHandlers } from '../../electron/services/reward/rpc-handlers.js';
import { locLiteralKm } from '../../shared/reward/geo-r-released.js';
import { contract, type MethodName, type ResultOf } from '../../shared/rpc/contract.js';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { REWARD_BAND_LABELS, rewardMethods } from '../../shared/rpc/reward-methods.js';
import { presetNames, presets } from '../../shared/reward/presets.js';
import { exportPython, pythonTargets } from '../../shared/reward/export-python.js';
import { rewardPlugin } from '../../electron/services/reward/python-sources.js';
import { scoreCompletion } from '../../shared/reward/score.js';
import { decodeRunColumns } from '../../renderer/src/lib/reward-columns.js';
import { BAND_LABELS, labStats, rewardsOf } from '../../renderer/src/lib/reward-stats.js';
import { fakeGeo, openFixtureProject, type Fixture } from '../helpers/completions-fixture.js';
import { callThroughContract } from '../helpers/contract-call.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let fx: Fixture;
let projects: ProjectService;
let reward: RewardHandlers;
let completions: CompletionsHandlers;

/** Through the contract's schemas, as the dispatcher calls a handler. */
const call = <M extends MethodName>(method: M, params: unknown): Promise<ResultOf<M>> => callThroughContract({ ...completions, ...reward }, method, params);

async function rejects(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error('expected a rejection');
}

const geoR = (lat: number, lon: number, country = 'France', city = 'Paris'): string =>
  `<think>why</think><answer>Country: ${country} State: x City: ${city} Coordinates: (${lat}, ${lon})</answer>`;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('georeason-reward-lab-'));
  ({ fx, projects } = await openFixtureProject(dir));
  completions = completionsHandlers(projects, { resourcesDir: '/nonexistent', geo: () => fakeGeo });
  reward = rewardHandlers(projects);
});
afterEach(() => {
  projects.close();
  cleanup();
});

describe('reward specs', () => {
  it('answers exactly the methods of the reward group', () => {
    expect(Object.keys(reward).sort()).toEqual(Object.keys(rewardMethods).sort());
    expect(REWARD_BAND_LABELS).toEqual(BAND_LABELS);
  });

  it('lists the built-in presets and no saved specs in a new project', async () => {
    const r = await call('reward.specs.list', {});
    expect(r.presets.map((p) => p.name)).toEqual(presetNames);
    expect(r.presets.find((p) => p.name === 'geo-r-code')?.spec).toEqual(presets['geo-r-code']);
    expect(r.saved).toEqual([]);
    // The project summary counts the shipped presets among its reward specs.
    expect(projects.current()?.counts).toMatchObject({ rewardSpecs: presetNames.length, rewardPresets: presetNames.length });
  });

  it('saves, overwrites, renames and deletes a spec', async () => {
    const spec = { components: [{ kind: 'distance', knots_km: [0, 500, 2000], values: [1, 0.4, 0] }, { kind: 'format' }] };
    const s = await call('reward.specs.save', { name: '  tight  ', spec });
    expect(s).toMatchObject({ name: 'tight', error: null, spec: { name: 'tight', combine: 'product' } });
    const again = await call('reward.specs.save', { id: s.id, name: 'tight', spec: { ...spec, combine: 'weighted_sum' } });
    expect(again.id).toBe(s.id);
    expect(again.spec?.combine).toBe('weighted_sum');
    const renamed = await call('reward.specs.rename', { id: s.id, name: 'tighter' });
    expect(renamed).toMatchObject({ id: s.id, name: 'tighter', spec: { name: 'tighter' } });
    const list = await call('reward.specs.list', {});
    expect(list.saved.map((x) => x.name)).toEqual(['tighter']);
    expect(projects.current()?.counts.rewardSpecs).toBe(presetNames.length + 1);
    expect(await call('reward.specs.delete', { id: s.id })).toEqual({ deleted: true });
    expect(await call('reward.specs.delete', { id: s.id })).toEqual({ deleted: false });
    expect((await call('reward.specs.list', {})).saved).toEqual([]);
  });

  it('refuses invalid specs with every bad field named, and clashing names', async () => {
    const bad = await rejects(
      call('reward.specs.save', { name: 'bad', spec: { components: [{ kind: 'distance', knots_km: [0, 800, 500], values: [1, 0] }], combine: 'max' } }),
    );
    expect(bad.code).toBe(ErrorCode.BadInput);
    expect(bad.message).toContain('components[0].knots_km[2]: knots must be strictly increasing');
    expect(bad.message).toContain('components[0].values: must have one value per knot (3), got 2');
    expect(bad.message).toContain('combine');
    const typo = await rejects(call('reward.specs.save', { name: 'typo', spec: { components: [{ kind: 'distance', knots: [0, 1], values: [1, 0] }] } }));
    expect(typo.message).toMatch(/knots/);
    const preset = await rejects(call('reward.specs.save', { name: 'geo-r-paper', spec: presets['geo-r-paper'] }));
    expect(preset.code).toBe(ErrorCode.AlreadyExists);
    expect(preset.message).toContain('built-in preset');
    await call('reward.specs.save', { name: 'one', spec: presets.globe });
    const two = await call('reward.specs.save', { name: 'two', spec: presets.globe });
    const clash = await rejects(call('reward.specs.rename', { id: two.id, name: 'one' }));
    expect(clash.code).toBe(ErrorCode.AlreadyExists);
    expect((await rejects(call('reward.specs.rename', { id: 999, name: 'x' }))).code).toBe(ErrorCode.NotFound);
    expect(() => contract['reward.specs.save'].params.parse({ name: '   ', spec: {} })).toThrow(/needs a name/);
  });

  it('reports a stored spec that no longer validates instead of failing the list', async () => {
    projects.requireStore().db.prepare("INSERT INTO reward_presets(name, spec_json) VALUES ('old', '{\"components\": []}')").run();
    const r = await call('reward.specs.list', {});
    expect(r.saved).toEqual([{ id: expect.any(Number) as number, name: 'old', spec: null, error: expect.stringContaining('needs at least one component') as string }]);
  });
});

describe('plug-in Python for the export', () => {
  it('sends the shipped scorer and templates, from which the renderer renders what the main process writes', async () => {
    const r = await call('reward.pythonSources', {});
    const trainer = path.join(import.meta.dirname, '../../resources/trainer');
    expect(r.scorer).toBe(fs.readFileSync(path.join(trainer, 'georeason_reward.py'), 'utf8'));
    expect(r.targets.swift).toBe(fs.readFileSync(path.join(trainer, 'templates', 'reward_swift.py'), 'utf8'));
    for (const target of pythonTargets) expect(exportPython(presets.globe, target, r)).toBe(rewardPlugin(presets.globe, target));
    expect((await rejects(call('reward.pythonSources', { extra: 1 }))).message).toMatch(/extra/);
  });
});

describe('run columns', () => {
  async function importRun(rows: object[]): Promise<number> {
    const file = path.join(dir, 'run.jsonl');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    return (await call('runs.importFile', { datasetId: fx.datasetId, source: file })).runId;
  }

  it('returns the columns of a run, grouped by photo, that re-score as each completion scores', async () => {
    const texts = {
      'paris-1': [geoR(48.8566, 2.3522), geoR(45.764, 4.8357, 'France', 'Lyon'), 'no answer at all', geoR(35.68, 139.69, 'Japan', 'Tokyo')],
      biei: [geoR(43.77, 142.37, 'Japan', 'Asahikawa'), '<think>t</think><answer>country: Japan\ncity: Biei</answer>'],
      lyon: [geoR(45.76, 4.84, 'France', 'Lyon')],
    };
    const runId = await importRun(Object.entries(texts).flatMap(([id, list]) => list.map((text) => ({ id, text }))));
    const raw = await call('reward.runColumns', { runId });
    expect(raw).toMatchObject({ runId, count: 7, groups: 3, minGroupSize: 1, maxGroupSize: 4 });
    const cols = decodeRunColumns(raw);
    expect(Array.from(cols.offsets)).toEqual([0, 4, 6, 7]); // photos in id order: paris-1, biei, lyon
    expect(Number.isNaN(cols.km[2])).toBe(true); // no coordinate
    expect(cols.km[0]).toBeLessThan(25);
    expect(cols.km[3]).toBeGreaterThan(2500);
    // Paris 4 km, Lyon for Paris ~390 km, none, Tokyo, Asahikawa for Biei ~38 km, none, Lyon.
    expect(Array.from(cols.band)).toEqual([0, 2, 5, 4, 1, 5, 0]);
    expect(Array.from(cols.formatOk)).toEqual([1, 1, 0, 1, 1, 0, 1]);
    // GLOBE strict reading: only the lowercase `country:`/`city:` answer counts.
    expect(Array.from(cols.labelScoreStrict)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    // Lenient: Paris right (1), Lyon for Paris (country only, 0.2), nothing, Japan (0), Asahikawa for Biei (0.2), Biei (1), Lyon (1).
    expect(Array.from(cols.labelScore)).toEqual([1, 0.2, 0, 0, 0.2, 1, 1]);
    expect(Array.from(cols.globeFormatOk)).toEqual([1, 1, 0, 1, 1, 1, 1]);
    expect(raw.countries).toEqual(['France', 'Japan']);
    expect(Array.from(cols.country)).toEqual([0, 0, 0, 0, 1, 1, 0]);

    // The columns re-score to what scoring each stored completion gives.
    const stored = projects
      .requireStore()
      .db.prepare('SELECT km, format_ok AS f, country, city, text FROM completions WHERE run_id = ? ORDER BY image_id, sample')
      .all(runId) as { km: number | null; f: number; country: string | null; city: string | null; text: string }[];
    const truth = [...Array(4).fill({ country: 'France', city: 'Paris' }), ...Array(2).fill({ country: 'Japan', city: 'Biei' }), { country: 'France', city: 'Lyon' }];
    for (const name of presetNames) {
      const spec = presets[name];
      const { rewards } = rewardsOf(spec, cols);
      stored.forEach((s, i) => {
        const one = scoreCompletion(spec, { km: s.km, format_ok: s.f === 1, country: s.country, city: s.city, text: s.text, truth: truth[i] });
        expect(rewards[i], `${name} row ${i}`).toBe(one.reward);
      });
    }
    const stats = labStats(presets['geo-r-paper'], cols);
    expect(stats.run.completions).toBe(7);
    expect(stats.run.groups).toBe(3);
    expect(stats.countries.map((c) => c.label)).toEqual(['France', 'Japan']);
  });

  it("carries Geo-R's released columns (the LOC literal's km, the box format) and shows the two never score together", async () => {
    const texts = {
      'paris-1': ["{'LOC': (48.85, 2.35)}", "<think>x</think>\n<answer>{'bbox_2d': [1, 2, 3, 4], 'LOC': [48.8, 2.3]}</answer>", geoR(48.8566, 2.3522)],
      lyon: ["{'LOC': [45.76, 4.84]}", "<think>x</think><answer>{'bbox_2d': [10, 20, 30, 40]}</answer>", 'no answer at all'],
    };
    const runId = await importRun(Object.entries(texts).flatMap(([id, list]) => list.map((text) => ({ id, text }))));
    const cols = decodeRunColumns(await call('reward.runColumns', { runId }));
    const truth = [...Array(3).fill({ lat: 48.8584, lon: 2.2945, country: 'France', city: 'Paris' }), ...Array(3).fill({ lat: 45.764, lon: 4.8357, country: 'France', city: 'Lyon' })];
    const flat = Object.values(texts).flat();
    expect(Array.from(cols.bboxFormatOk)).toEqual([0, 1, 0, 0, 1, 0]);
    flat.forEach((text, i) => {
      const want = locLiteralKm(text, truth[i].lat, truth[i].lon);
      if (Number.isNaN(want)) expect(cols.locKm[i]).toBeNaN();
      else expect(cols.locKm[i]).toBe(want);
    });
    expect(cols.locKm[0]).toBeLessThan(10);
    const spec = presets['geo-r-released'];
    const { rewards } = rewardsOf(spec, cols);
    flat.forEach((text, i) => expect(rewards[i]).toBe(scoreCompletion(spec, { km: null, format_ok: false, text, truth: truth[i] }).reward));
    const stats = labStats(spec, cols);
    expect(stats.components.map((c) => [c.name, c.nonZeroRate])).toEqual([
      ['loc_dict', 2 / 6],
      ['format', 2 / 6],
    ]);
    expect(stats.cooccurrence[0]?.[1]).toBe(0);
    expect(stats.conflicts).toEqual([{ a: 'loc_dict', b: 'format', pa: 2 / 6, pb: 2 / 6, pBoth: 0 }]);
  });

  it('refuses an unknown run', async () => {
    expect((await rejects(call('reward.runColumns', { runId: 4242 }))).code).toBe(ErrorCode.NotFound);
  });
});

