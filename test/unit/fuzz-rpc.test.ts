/**
 * Bad params for every method of the contract, tried systematically through the real
 * dispatcher of a workbench with an open project (a labelled dataset, a completions
 * run, a review and a saved reward spec in it):
 *
 * - params the schema refuses (wrong types, missing fields, extra and prototype-
 *   pollution keys, huge strings, deep nesting, NaN/Infinity, non-objects) are answered
 *   `{error: {code: InvalidParams, message}}`, nothing throws out of the dispatcher, and
 *   the project's content hash is unchanged;
 * - params the schema accepts but that make no sense (ids that do not exist, odd
 *   strings, paths that are not there) are answered with a result or a clear error —
 *   never an internal error — and read methods leave the project's content unchanged.
 *
 * Afterwards the project passes PRAGMA integrity_check and Object.prototype is clean.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, methodNames, type MethodName } from '../../shared/rpc/contract.js';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { createWorkbench, type Workbench } from '../../electron/services/workbench.js';
import type { RpcOutcome } from '../../electron/services/rpc/dispatcher.js';
import { contentHash } from '../helpers/project-hash.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
let workbench: Workbench;
const db = (): ReturnType<Workbench['projects']['requireStore']>['db'] => workbench.projects.requireStore().db;

/** Methods that only read: even with params the schema accepts, the content must not change. */
const readMethods = new Set<MethodName>([
  'app.info', 'project.current', 'project.recent', 'project.check', 'datasets.list', 'datasets.preview',
  'images.query', 'images.facets', 'images.get', 'runs.list', 'runs.get', 'runs.promptPresets', 'runs.apiKeys.list',
  'completions.query', 'completions.forImage', 'reward.specs.list', 'evaluate.run', 'evaluate.compare',
  'audit.queue', 'audit.history', 'audit.places', 'audit.stats', 'audit.hard.preview', 'audit.subsets.list',
  'jobs.list', 'jobs.get', 'jobs.metrics', 'jobs.log', 'jobs.encoders', 'task.cancel',
]);
/**
 * Methods never sent schema-valid random params: they swap or close the project, read
 * or scan arbitrary paths, write files outside the project, start processes or network
 * calls, or delete what the other cases need. Their invalid params are still fuzzed.
 */
const noValidSends = new Set<MethodName>([
  'project.create', 'project.open', 'project.openDemo', 'project.close', 'project.forgetRecent',
  'datasets.import', 'datasets.setImageRoot', 'datasets.delete', 'runs.startLive', 'runs.resume', 'runs.delete',
  'runs.apiKeys.set', 'runs.apiKeys.delete', 'jobs.start', 'jobs.resume', 'jobs.setPython', 'jobs.predict',
  'jobs.environment', 'jobs.delete', 'jobs.cancel', 'audit.export', 'audit.subsets.delete', 'reward.specs.delete',
  'external.start',
]);
/** Methods that got schema-valid random params (most should: the hints below are there for that). */
const validSent = new Set<MethodName>();

function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
function deepObject(depth: number): unknown {
  let v: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** A path that does not exist, under the temp folder: should a method ever write there, no harm done. */
const missingFile = path.join(os.tmpdir(), 'georeason-fuzz-missing', 'predictions.jsonl');

/** Values that break assumptions: JSON's and a few only a direct dispatcher call can pass. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, undefined, true, false, 0, -0, -1, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 53), 1e308,
    '', ' ', '0', '1', 'NaN', '\u0000', '../../etc/passwd', '/etc/passwd', 'C:\\Windows', 'file:///etc/passwd', '%', '_',
    "'; DROP TABLE images; --", '<script>alert(1)</script>', '<img src=x onerror=window.__pwned=1>', '\u202e\u0000\uffff',
    'x'.repeat(100_000), [], {}, [[]], [1, 2, 3], { a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } }, Object.create(null) as unknown, deepArray(5000), deepObject(5000),
    new Array(10_000).fill(1),
    // Plain JSON that makes zod's length checks throw (a TypeError inside safeParse).
    JSON.parse('{"length": {"toString": 1, "valueOf": 1}}'),
    JSON.parse('{"length": 1e400, "0": "x"}'),
  ),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }),
);

/** Values a schema might accept: ids that exist and ones that do not, plain strings and numbers. */
const plausibleValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(1, 2, 3, 999_999, 2 ** 31, 0.5, 0, 25, 200, true, false, '', 'x', 'FR', 'JP', 'Paris', 'tokyo',
    '%', '_', "o'brien", 'first', 'all', 'best', 'unreviewed', 'accepted', 'edited', 'country', 'region', 'city', 'auto', 'jsonl',
    missingFile, 'near_border', ['near_border'], [1, 2], [1, 999_999], [35, -10, 60, 30], { datasetId: 1 },
    { datasetId: 999_999 }, { runId: 1 }, { runId: 999_999 }, { datasetId: 1, country: 'FR' }, { datasetId: 1, text: '%' },
    { countryCode: 'FR', regionCode: null, region: null, city: 'Paris' }),
  fc.integer({ min: 1, max: 10 }),
);

/** Values that fit some method's key by its name, so schema-valid params come up often enough. */
const hints: Record<string, unknown[]> = {
  verdict: ['accepted', 'rejected', 'edited'],
  level: ['country', 'region', 'city'],
  mode: ['first', 'best', 'mean', 'all'],
  scope: ['unreviewed', 'all', 'reviewed', 'mapped', 'any'],
  runIds: [[1, 2], [1, 999_999], [999_998, 999_999]],
  filter: [{ datasetId: 1 }, { datasetId: 999_999 }, { datasetId: 1, text: '%_' }, { datasetId: 1, bbox: [-90, -180, 90, 180] }, {}],
  source: [{ runId: 1 }, { runId: 999_999 }, { file: missingFile }, missingFile, '/etc/hostname'],
  id: [1, 2, 999_999],
  datasetId: [1, 999_999],
  runId: [1, 999_999],
  imageId: [1, 2, 4, 999_999],
  flag: ['ocean', 'near_border', 'far_city', 'region_mismatch', 'disputed'],
  country: ['FR', 'JP', 'ZZ', ''],
  format: ['auto', 'jsonl', 'csv'],
  hotspotKm: [25, 0.001, 20_000],
  radiusKm: [0, 200, 20_000],
  offset: [0, 3, 100_000_000],
  limit: [1, 10, 200],
  cursor: [0, 5, 1_000_000],
  edit: [{ countryCode: 'FR', regionCode: null, region: null, city: 'Paris' }, { countryCode: 'ZZ', regionCode: 'ZZ-99', region: 'Nowhere', city: null }],
  name: ['subset', 'spec', ' padded '],
  query: ['', 'par', '%', '\\'],
};

function plausibleFor(key: string): fc.Arbitrary<unknown> {
  const own = hints[key];
  return own ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: plausibleValue }) : plausibleValue;
}

/** Params over the method's own keys, every key present (undefined sometimes), values by key. */
function plausibleParams(name: MethodName): fc.Arbitrary<Record<string, unknown>> {
  const keys = keysOf(name);
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.option(plausibleFor(k), { nil: undefined, freq: 4 })]))) as fc.Arbitrary<Record<string, unknown>>;
}

function keysOf(name: MethodName): string[] {
  const shape = contract[name].params as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> } } };
  return Object.keys(shape.shape ?? shape.def?.in?.shape ?? {});
}

/** A params object over the method's own keys (some missing) plus, maybe, stray keys. */
function paramsFor(name: MethodName, values: fc.Arbitrary<unknown>, extraKeys: boolean): fc.Arbitrary<Record<string, unknown>> {
  const keys = keysOf(name);
  const own = fc.record(Object.fromEntries(keys.map((k) => [k, values])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
  if (!extraKeys) return own;
  const stray = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'toString', 'hasOwnProperty', ''), hostileValue, {
    minKeys: 1,
    maxKeys: 2,
  });
  return fc.tuple(own, stray).map(([o, s]) => {
    const out = { ...o };
    // defineProperty so '__proto__' becomes an own key, as JSON.parse makes it.
    for (const [k, v] of Object.entries(s)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

function isValid(name: MethodName, params: unknown): boolean {
  try {
    return contract[name].params.safeParse(params ?? {}).success;
  } catch {
    return false; // zod itself throws on some values (see the dispatcher's safeParseParams)
  }
}

async function call(name: MethodName, params: unknown): Promise<RpcOutcome> {
  let outcome: RpcOutcome | undefined;
  let thrown: unknown = null;
  try {
    outcome = await workbench.dispatcher.call(name, params);
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `${name} threw out of the dispatcher`).toBeNull();
  expect(outcome).toBeDefined();
  return outcome as RpcOutcome;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('georeason-fuzz-rpc-'));
  workbench = createWorkbench({ host: 'cli', userDataDir: path.join(dir, 'user'), log: () => undefined });
  await workbench.dispatcher.call('project.create', { path: path.join(dir, 'fuzz.georeason.sqlite') });
  const csv = path.join(dir, 'photos.csv');
  fs.writeFileSync(csv, 'id,lat,lon\na/paris.jpg,48.8584,2.2945\na/tokyo.jpg,35.6812,139.7671\nb/sea.jpg,40,-30\nb/border.jpg,49.0,8.2\n');
  const imported = await workbench.dispatcher.call('datasets.import', { source: csv, label: true });
  expect(imported).toMatchObject({ result: { rows: 4 } });
  const run = path.join(dir, 'run.jsonl');
  fs.writeFileSync(
    run,
    [
      JSON.stringify({ image: 'a/paris.jpg', text: '<answer>Country: France\nCity: Paris\n(48.85, 2.35)</answer>' }),
      JSON.stringify({ image: 'a/tokyo.jpg', text: '<answer>(35.0, 139.0)</answer>' }),
    ].join('\n'),
  );
  expect(await workbench.dispatcher.call('runs.importFile', { datasetId: 1, source: run })).toMatchObject({ result: { rows: 2 } });
  expect(await workbench.dispatcher.call('audit.review', { imageId: 1, verdict: 'accepted' })).toHaveProperty('result');
  const spec = { name: 'geo-r', components: [{ kind: 'distance', knots_km: [0, 750, 2500, 20000], values: [1, 0.5, 0.2, 0] }], combine: 'product' };
  expect(await workbench.dispatcher.call('reward.specs.save', { name: 'mine', spec })).toHaveProperty('result');
}, 120_000);

afterAll(() => {
  workbench?.dispose();
  cleanup?.();
});

describe('every RPC method under bad params', () => {
  it.each(methodNames.map((m) => [m]))('%s: refused params answer InvalidParams and change nothing', async (name) => {
    const before = contentHash(db());
    const nonObjects = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.double(),
      fc.boolean(),
      fc.array(hostileValue, { maxLength: 3 }),
      fc.constantFrom<unknown>('x'.repeat(1_000_000), deepArray(10_000), [{}], 0, NaN, Infinity),
    );
    const arbitrary = fc.oneof(nonObjects, paramsFor(name, hostileValue, false), paramsFor(name, hostileValue, true), paramsFor(name, plausibleValue, true));
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async (params) => {
        if (isValid(name, params)) return; // the other test sends the ones the schema accepts
        sent++;
        const outcome = await call(name, params);
        expect(outcome, JSON.stringify(outcome).slice(0, 300)).toEqual({
          error: { code: ErrorCode.InvalidParams, message: expect.stringContaining(name) },
        });
      }),
      { numRuns: 150, endOnFailure: true },
    );
    expect(sent).toBeGreaterThan(50);
    expect(contentHash(db())).toBe(before);
  });

  it.each(methodNames.filter((m) => !noValidSends.has(m)).map((m) => [m]))(
    '%s: accepted but senseless params get a result or a clear error, never an internal one',
    async (name) => {
      const internal: string[] = [];
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(plausibleParams(name), async (params) => {
          if (!isValid(name, params)) return;
          sent++;
          const before = readMethods.has(name) ? contentHash(db()) : null;
          const outcome = await call(name, params);
          if ('error' in outcome) {
            expect(typeof outcome.error.message).toBe('string');
            expect(outcome.error.message.length).toBeGreaterThan(0);
            if (outcome.error.code === ErrorCode.Internal) internal.push(`${JSON.stringify(params)} → ${outcome.error.message}`);
          }
          if (before !== null) expect(contentHash(db()), `${name} ${JSON.stringify(params)} changed the project`).toBe(before);
        }),
        { numRuns: 60, endOnFailure: true },
      );
      expect(internal).toEqual([]);
      if (sent > 0) validSent.add(name);
    },
  );

  it('answers InvalidParams when a field holds JSON that makes zod throw (was an internal error)', async () => {
    const unmeasurable = JSON.parse('{"length": {"toString": 1, "valueOf": 1}}') as unknown;
    for (const name of methodNames) {
      for (const key of keysOf(name)) {
        const outcome = await call(name, { [key]: unmeasurable });
        expect(outcome, `${name}.${key}`).toMatchObject({ error: { code: ErrorCode.InvalidParams } });
      }
    }
  });

  it('sent schema-valid params to most methods', () => {
    const eligible = methodNames.filter((m) => !noValidSends.has(m));
    expect(validSent.size / eligible.length).toBeGreaterThan(0.8);
  });

  it('leaves a sound project and a clean Object.prototype', async () => {
    expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db().pragma('foreign_key_check')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // The fixture's work survived: its dataset, run, review and spec are all there.
    const outcome = await workbench.dispatcher.call('project.current', {});
    expect(outcome).toMatchObject({ result: { counts: { datasets: 1, images: 4 } } });
    const counts = (outcome as { result: { counts: Record<string, number> } }).result.counts;
    expect(counts.runs).toBeGreaterThanOrEqual(1);
    expect(counts.reviews).toBeGreaterThanOrEqual(1);
    expect(counts.rewardSpecs).toBeGreaterThanOrEqual(1);
  });
});
