/**
 * Review state that adds up: an undone review puts the photo back at its place in the
 * queue; the queue, the statistics and Browse count the same reviewed photos; an
 * edited label is the photo's label in Browse (filters, facets, rows, detail), in
 * the checks of its completions, in Evaluate, in exports, and for the city distance;
 * and the migration's backfill rebuilds what reviews and imports keep.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditHandlers } from '../../electron/services/audit/rpc-handlers.js';
import { trainingRows } from '../../electron/services/audit/export/training-rows.js';
import { fillMissingRisk } from '../../electron/services/geo/label-risk.js';
import { rebuildReviewedLabels } from '../../electron/services/audit/reviewed-labels.js';
import { evaluateRun } from '../../electron/services/evaluate/evaluate-run.js';
import { migrations } from '../../electron/services/store/migrations.js';
import { applicationId } from '../../electron/services/store/project-file.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { haversineKm } from '../../shared/geo/haversine.js';
import { fakeGeo } from '../helpers/completions-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { call, openAuditFixture, type AuditFixture } from '../helpers/audit-fixture.js';

let fx: AuditFixture;
let cleanup: () => void;

beforeEach(() => {
  const t = tempDir('georeason-audit-state-');
  cleanup = t.cleanup;
  fx = openAuditFixture(t.dir);
});
afterEach(() => {
  fx.projects.close();
  cleanup();
});

const db = () => fx.projects.requireStore().db;
const ids = () => fx.imageIds as [number, number, number, number, number, number];
const unreviewedOrder = async (): Promise<number[]> =>
  (await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'unreviewed', limit: 50 })).items.map((i) => i.imageId);
const STRASBOURG = { lat: 48.58342, lon: 7.74296 };

describe('undo', () => {
  it('puts the photo back in the unreviewed queue at its risk position', async () => {
    const before = await unreviewedOrder();
    const riskiest = before[0] as number;
    await call(fx, 'audit.review', { imageId: riskiest, verdict: 'rejected' });
    expect(await unreviewedOrder()).toEqual(before.slice(1));
    await call(fx, 'audit.undo', { imageId: riskiest });
    expect(await unreviewedOrder()).toEqual(before);
    const reviewed = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'reviewed' });
    expect(reviewed.items).toEqual([]);
  });

  it('pages the same order by cursor as in one page', async () => {
    const all = await unreviewedOrder();
    const paged: number[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page: { items: { imageId: number }[]; nextCursor: number | null } = await call(fx, 'audit.queue', { datasetId: fx.datasetId, limit: 2, cursor });
      paged.push(...page.items.map((i) => i.imageId));
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all);
  });
});

describe('one count of reviewed photos', () => {
  it('agrees between statistics, Browse and the queue after undos', async () => {
    const [tokyo, border, sea, biei, paris] = ids();
    await call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
    await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'Strasbourg' } });
    await call(fx, 'audit.review', { imageId: border, verdict: 'accepted' });
    await call(fx, 'audit.review', { imageId: sea, verdict: 'rejected' });
    await call(fx, 'audit.review', { imageId: biei, verdict: 'accepted' });
    await call(fx, 'audit.undo', { imageId: biei }); // back to nothing: not reviewed
    await call(fx, 'audit.review', { imageId: paris, verdict: 'rejected' });
    await call(fx, 'audit.review', { imageId: paris, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: null } });
    await call(fx, 'audit.undo', { imageId: paris }); // back to rejected: still reviewed

    const s = await call(fx, 'audit.stats', { datasetId: fx.datasetId });
    expect(s.byStatus).toEqual({ accepted: 2, edited: 0, rejected: 2, unreviewed: 2 });
    expect(s.reviewed).toBe(4);
    expect(s.byStatus.accepted + s.byStatus.edited + s.byStatus.rejected).toBe(s.reviewed);

    const browse = fx.projects.queries();
    expect(browse.total({ datasetId: fx.datasetId, review: 'reviewed' }).total).toBe(4);
    expect(browse.total({ datasetId: fx.datasetId, review: 'unreviewed' }).total).toBe(2);
    expect(browse.total({ datasetId: fx.datasetId, review: 'accepted' }).total).toBe(2);
    expect(browse.total({ datasetId: fx.datasetId, review: 'rejected' }).total).toBe(2);
    const reviewed = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'reviewed' });
    expect(reviewed.items.map((i) => i.imageId).sort()).toEqual([tokyo, border, sea, paris].sort());
    expect((await unreviewedOrder()).sort()).toEqual([biei, fx.imageIds[5]].sort());
    // The accepted edit is still the edited label.
    expect(reviewed.items.find((i) => i.imageId === border)?.current).toMatchObject({ status: 'accepted', city: 'Strasbourg' });
  });
});

describe('an edited label is the photo label', () => {
  async function editBorder(city: string | null): Promise<void> {
    await call(fx, 'audit.review', { imageId: ids()[1], verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city } });
  }

  it('in the queue: the city distance and the map line follow the edited city', async () => {
    const border = ids()[1];
    const out = await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'strasbourg' } });
    expect(out.current).toMatchObject({ city: 'Strasbourg', cityFree: false });
    expect(out.item.cityLat).toBeCloseTo(STRASBOURG.lat, 4);
    expect(out.item.cityLon).toBeCloseTo(STRASBOURG.lon, 4);
    expect(out.item.cityKm).toBeCloseTo(haversineKm(49.0, 8.2, STRASBOURG.lat, STRASBOURG.lon), 2);
    // A city the gazetteer does not know has no point: no line.
    const free = await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'Nowhere-sur-Rhin' } });
    expect(free.item).toMatchObject({ cityLat: null, cityLon: null, cityKm: null, current: { cityFree: true } });
    // Undo restores the edit before it, with its point.
    const undone = await call(fx, 'audit.undo', { imageId: border });
    expect(undone.item.cityLat).toBeCloseTo(STRASBOURG.lat, 4);
    // And undoing that restores the gazetteer's city and distance.
    const back = await call(fx, 'audit.undo', { imageId: border });
    expect(back.item).toMatchObject({ cityKm: 12, current: { status: 'unreviewed', city: 'Karlsruhe' } });
  });

  it('in Browse: filters, totals, facets, rows and the detail', async () => {
    const border = ids()[1];
    const browse = fx.projects.queries();
    const idsOf = (filter: Parameters<typeof browse.page>[0]): number[] => browse.page(filter, 0, 50).rows.map((r) => r.id);
    expect(idsOf({ datasetId: fx.datasetId, country: 'DE' })).toEqual([border]);
    await editBorder('Strasbourg');
    expect(idsOf({ datasetId: fx.datasetId, country: 'DE' })).toEqual([]);
    expect(browse.total({ datasetId: fx.datasetId, country: 'DE' }).total).toBe(0);
    const fr = { datasetId: fx.datasetId, country: 'FR' };
    expect(idsOf(fr)).toEqual([border, ids()[4], ids()[5]]);
    expect(browse.total(fr).total).toBe(3);
    // Pages of the merged order at every offset.
    expect([0, 1, 2].flatMap((offset) => browse.page(fr, offset, 1).rows.map((r) => r.id))).toEqual([border, ids()[4], ids()[5]]);
    expect(idsOf({ datasetId: fx.datasetId, city: 'Strasbourg' })).toEqual([border]);
    expect(idsOf({ datasetId: fx.datasetId, city: 'Karlsruhe' })).toEqual([]);
    // Flags are the gazetteer's evidence: the edited photo keeps them.
    expect(idsOf({ datasetId: fx.datasetId, country: 'FR', flags: ['near_border'] })).toEqual([border]);
    expect(browse.page(fr, 0, 50).rows[0]).toMatchObject({ country: 'France', city: 'Strasbourg' });
    const facets = browse.facets({ datasetId: fx.datasetId, country: 'FR' });
    expect(facets.countries.find((c) => c.code === 'FR')?.count).toBe(3);
    expect(facets.countries.find((c) => c.code === 'DE')).toBeUndefined();
    const detail = browse.detail(border);
    expect(detail.labels[0]).toMatchObject({ source: 'review', country: 'France', city: 'Strasbourg' });
    expect(detail.labels[0]?.cityLat).toBeCloseTo(STRASBOURG.lat, 4);
    expect(detail.labels.map((l) => l.source)).toEqual(['review', 'gazetteer', 'dataset']);
    const points = browse.points(fr);
    expect(points.readUInt32LE(0)).toBe(3);
  });

  it('in the checks of its completions, and in Evaluate per level', async () => {
    fx.handlers = auditHandlers(fx.projects, undefined, { countryCodes: () => (name) => (name ? fakeGeo.countryCode(name) : null) });
    const border = ids()[1];
    const d = db();
    const runId = Number(d.prepare("INSERT INTO runs(kind, dataset_id, status, created_at) VALUES ('import', ?, 'done', 'now')").run(fx.datasetId).lastInsertRowid);
    d.prepare(
      `INSERT INTO completions(run_id, image_id, sample, text, country, city, lat, lon, format_ok, country_ok, region_ok, city_ok)
       VALUES (?, ?, 0, ?, 'France', 'Strasbourg', 48.6, 7.7, 1, 0, NULL, 0)`,
    ).run(runId, border, '<answer>Country: France, City: Strasbourg (48.6, 7.7)</answer>');
    const evaluate = () => evaluateRun(d, runId, 'first', 'run');
    expect(evaluate().chain?.city).toMatchObject({ correct: 0, judged: 1 });
    await editBorder('Strasbourg');
    const checks = d.prepare('SELECT country_ok, city_ok FROM completions WHERE run_id = ?').get(runId);
    expect(checks).toEqual({ country_ok: 1, city_ok: 1 });
    const after = evaluate();
    expect(after.chain?.country).toMatchObject({ correct: 1, judged: 1 });
    expect(after.chain?.city).toMatchObject({ correct: 1, judged: 1 });
    // Evaluate groups the photo under its edited country.
    const labels = after.breakdowns.country.map((r) => r.label).join();
    expect(labels).toContain('France');
    expect(labels).not.toContain('Germany');
    // Undo: judged against the gazetteer's label again.
    await call(fx, 'audit.undo', { imageId: border });
    expect(d.prepare('SELECT country_ok, city_ok FROM completions WHERE run_id = ?').get(runId)).toEqual({ country_ok: 0, city_ok: 0 });
  });

  it('in exports', async () => {
    const [, border, sea] = ids();
    await editBorder('Strasbourg');
    await call(fx, 'audit.review', { imageId: sea, verdict: 'rejected' });
    const outcomes = [...trainingRows(db(), fx.datasetId, null)];
    const row = outcomes.flatMap((o) => ('row' in o ? [o.row] : [])).find((r) => r.imageId === border);
    expect(row).toMatchObject({ fromReview: true, chain: { countryCode: 'FR', city: 'Strasbourg', cityFree: false } });
    expect(outcomes.filter((o) => 'skipped' in o && o.skipped === 'rejected')).toHaveLength(1);
  });
});

describe('what the migration backfills', () => {
  it('opens a schema-5 project with reviews: risks scored, reviewed labels derived', () => {
    const t = tempDir('georeason-audit-v5-');
    try {
      const file = path.join(t.dir, 'old.georeason.sqlite');
      const old = new Database(file);
      old.pragma(`application_id = ${applicationId}`);
      for (const m of migrations.filter((x) => x.version <= 5)) old.exec(m.sql);
      old.pragma('user_version = 5');
      old.exec(`
        INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'old', 'csv', 'now');
        INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (1, 1, 'a.jpg', 49.0, 8.2), (2, 1, 'b.jpg', 35.68, 139.77);
        INSERT INTO cor_labels(image_id, dataset_id, source, country_code, country, region_code, region, city, city_km, flags, created_at) VALUES
          (1, 1, 'gazetteer', 'DE', 'Germany', 'DE-BW', 'Baden-Württemberg', 'Karlsruhe', 12, 2, 'now'),
          (2, 1, 'gazetteer', 'JP', 'Japan', 'JP-13', 'Tokyo', 'Tokyo', 0.5, 0, 'now');
        INSERT INTO label_reviews(image_id, verdict, before_json, after_json, at) VALUES
          (1, 'edited', NULL, '{"countryCode":"FR","country":"France","city":"Strasbourg","status":"edited"}', 'now'),
          (2, 'rejected', NULL, '{"status":"rejected"}', 'now'),
          (2, 'undo', NULL, '{"countryCode":"JP","country":"Japan","city":"Tokyo","status":"unreviewed","undoes":2}', 'now');
      `);
      old.close();
      const store = ProjectStore.open(file);
      const risks = store.db.prepare("SELECT image_id, risk FROM cor_labels WHERE source = 'gazetteer' ORDER BY image_id").all();
      expect(risks).toEqual([
        { image_id: 1, risk: 2240 },
        { image_id: 2, risk: 10 },
      ]);
      expect(store.db.prepare('SELECT image_id, status, relabeled, country_code, city FROM reviewed_labels').all()).toEqual([
        { image_id: 1, status: 'edited', relabeled: 1, country_code: 'FR', city: 'Strasbourg' },
      ]);
      store.close();
    } finally {
      t.cleanup();
    }
  });

  it('rebuilds reviewed labels from the log and scores unscored labels', async () => {
    await call(fx, 'audit.review', { imageId: ids()[1], verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'Strasbourg' } });
    await call(fx, 'audit.review', { imageId: ids()[0], verdict: 'accepted' });
    await call(fx, 'audit.queue', { datasetId: fx.datasetId }); // scores the fixture's labels
    const d = db();
    const snapshot = () => ({
      reviewed: d.prepare('SELECT * FROM reviewed_labels ORDER BY image_id').all(),
      risk: d.prepare("SELECT image_id, risk, agree FROM cor_labels WHERE source = 'gazetteer' ORDER BY image_id").all(),
      agreement: d.prepare('SELECT * FROM label_agreement ORDER BY country_code, agree').all(),
    });
    const kept = snapshot();
    expect((kept.risk as { risk: number | null }[]).every((r) => r.risk !== null)).toBe(true);
    d.exec("DELETE FROM reviewed_labels; DELETE FROM label_agreement; UPDATE cor_labels SET risk = NULL, agree = NULL WHERE source = 'gazetteer'");
    migrations.find((m) => m.version === 6)?.run?.(d);
    expect(snapshot()).toEqual(kept);
    // Already scored: nothing to do.
    expect(fillMissingRisk(d, fx.datasetId)).toBe(0);
    // Many to score: the risk indexes are dropped, the labels walked by primary key, the indexes built again.
    d.exec("UPDATE cor_labels SET risk = NULL, agree = NULL WHERE source = 'gazetteer'");
    expect(fillMissingRisk(d, fx.datasetId, 1)).toBe(6);
    expect(snapshot()).toEqual(kept);
    const indexes = d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%risk%' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['cor_labels_by_country_risk', 'cor_labels_by_risk']);
    rebuildReviewedLabels(d);
    expect(snapshot()).toEqual(kept);
  });

  it('scores labels that have no risk on a pool thread before a read, once for calls that come together', async () => {
    const d = db();
    d.exec("UPDATE cor_labels SET risk = NULL, agree = NULL WHERE source = 'gazetteer'");
    const unscored = (): number => d.prepare("SELECT COUNT(*) FROM cor_labels WHERE source = 'gazetteer' AND risk IS NULL").pluck().get() as number;
    expect(unscored()).toBeGreaterThan(0);
    const [queue, stats, again] = await Promise.all([
      call(fx, 'audit.queue', { datasetId: fx.datasetId }),
      call(fx, 'audit.stats', { datasetId: fx.datasetId }),
      call(fx, 'audit.queue', { datasetId: fx.datasetId }),
    ]);
    expect(unscored()).toBe(0);
    expect(again.items).toEqual(queue.items);
    expect(stats.images).toBeGreaterThan(0);
    // What the main connection would have stored: the same risks as a pass on it.
    const scoredOnPool = d.prepare("SELECT image_id, risk, agree FROM cor_labels WHERE source = 'gazetteer' ORDER BY image_id").all();
    d.exec("UPDATE cor_labels SET risk = NULL, agree = NULL WHERE source = 'gazetteer'");
    fillMissingRisk(d, fx.datasetId);
    expect(d.prepare("SELECT image_id, risk, agree FROM cor_labels WHERE source = 'gazetteer' ORDER BY image_id").all()).toEqual(scoredOnPool);
  });
});
