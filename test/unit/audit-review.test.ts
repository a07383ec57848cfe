/**
 * Review actions: every action appends one label_reviews row (before, after, verdict,
 * note, time), undo appends and restores the previous state (a stack), edits are
 * checked against the gazetteer down the chain, and the completions' truth reader
 * sees the reviewed label.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TruthReader } from '../../electron/services/completions/truth.js';
import { filterSql } from '../../electron/services/browse/filter-sql.js';
import { call, openTempAuditFixture, type TempAuditFixture } from '../helpers/audit-fixture.js';

let fx: TempAuditFixture;

beforeEach(() => {
  fx = openTempAuditFixture('georeason-audit-review-');
});
afterEach(() => fx.close());

const rows = (): { id: number; verdict: string; before_json: string; after_json: string; note: string | null; at: string }[] =>
  fx.projects.requireStore().db.prepare('SELECT * FROM label_reviews ORDER BY id').all() as never;

describe('audit review actions', () => {
  it('accepts, rejects and edits, each appended with before, after, note and time', async () => {
    const [tokyo, border, , biei] = fx.imageIds as [number, number, number, number];
    const a = await call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
    expect(a.current).toMatchObject({ status: 'accepted', countryCode: 'JP', city: 'Tokyo' });
    const r = await call(fx, 'audit.review', { imageId: biei, verdict: 'rejected', note: 'city is a guess' });
    expect(r.current.status).toBe('rejected');
    expect(r.current.country).toBeNull();
    const e = await call(fx, 'audit.review', {
      imageId: border,
      verdict: 'edited',
      edit: { countryCode: 'FR', regionCode: 'FR-GES', region: null, city: 'wissembourg' },
    });
    // The gazetteer's spelling is kept for a known city.
    expect(e.current).toMatchObject({ status: 'edited', countryCode: 'FR', country: 'France', regionCode: 'FR-GES', region: 'Grand Est', city: 'Wissembourg', cityFree: false });
    expect(e.review.before).toMatchObject({ status: 'unreviewed', countryCode: 'DE', city: 'Karlsruhe' });

    const stored = rows();
    expect(stored.map((x) => x.verdict)).toEqual(['accepted', 'rejected', 'edited']);
    expect(stored[1]?.note).toBe('city is a guess');
    for (const x of stored) {
      expect(Number.isNaN(Date.parse(x.at))).toBe(false);
      expect(JSON.parse(x.before_json)).toHaveProperty('status');
      expect(JSON.parse(x.after_json)).toHaveProperty('status');
    }
    // The completions' checks read the reviewed label.
    const truth = new TruthReader(fx.projects.requireStore().db);
    expect(truth.label(border)).toMatchObject({ source: 'review', countryCode: 'FR', city: 'Wissembourg' });
  });

  it('marks a city the gazetteer does not know as free text, and refuses a region of another country', async () => {
    const id = fx.imageIds[4] as number;
    const e = await call(fx, 'audit.review', { imageId: id, verdict: 'edited', edit: { countryCode: 'FR', regionCode: 'FR-IDF', region: null, city: 'Eiffel Tower grounds' } });
    expect(e.current).toMatchObject({ city: 'Eiffel Tower grounds', cityFree: true });
    await expect(
      call(fx, 'audit.review', { imageId: id, verdict: 'edited', edit: { countryCode: 'FR', regionCode: 'JP-13', region: null, city: null } }),
    ).rejects.toThrow(/not a region of France/);
    await expect(call(fx, 'audit.review', { imageId: id, verdict: 'edited', edit: { countryCode: 'XX', regionCode: null, region: null, city: null } })).rejects.toThrow(
      /unknown country code/,
    );
    await expect(call(fx, 'audit.review', { imageId: id, verdict: 'edited' })).rejects.toThrow(/needs the new label/);
    await expect(call(fx, 'audit.review', { imageId: 999_999, verdict: 'accepted' })).rejects.toThrow(/no photo with id/);
    expect(rows()).toHaveLength(1);
  });

  it('undo appends, never deletes, and walks back one action at a time', async () => {
    const id = fx.imageIds[0] as number;
    await call(fx, 'audit.review', { imageId: id, verdict: 'accepted' });
    await call(fx, 'audit.review', { imageId: id, verdict: 'edited', edit: { countryCode: 'JP', regionCode: 'JP-14', region: null, city: 'Yokohama' } });
    const u1 = await call(fx, 'audit.undo', { imageId: id });
    expect(u1.current).toMatchObject({ status: 'accepted', city: 'Tokyo' });
    expect(u1.review.verdict).toBe('undo');
    expect(u1.review.undoes).toBe(rows()[1]?.id);
    const u2 = await call(fx, 'audit.undo', { imageId: id });
    expect(u2.current).toMatchObject({ status: 'unreviewed', city: 'Tokyo' });
    await expect(call(fx, 'audit.undo', { imageId: id })).rejects.toThrow(/no review left to undo/);
    expect(rows().map((r) => r.verdict)).toEqual(['accepted', 'edited', 'undo', 'undo']);
    const history = await call(fx, 'audit.history', { imageId: id });
    expect(history.entries).toHaveLength(4);
    expect(history.current.status).toBe('unreviewed');
    // Undone back to the gazetteer label: the browser's filters see it as unreviewed again.
    const count = (review: 'reviewed' | 'unreviewed'): number => {
      const sql = filterSql({ datasetId: fx.datasetId, review });
      const where = `${sql.where} AND i.id = ?`;
      return (fx.projects.requireStore().db.prepare(`SELECT COUNT(*) AS n FROM ${sql.from} WHERE ${where}`).get(...sql.params, id) as { n: number }).n;
    };
    expect(count('reviewed')).toBe(0);
    expect(count('unreviewed')).toBe(1);
  });

  it('the browser review filters see the verdicts', async () => {
    await call(fx, 'audit.review', { imageId: fx.imageIds[0] as number, verdict: 'accepted' });
    await call(fx, 'audit.review', { imageId: fx.imageIds[1] as number, verdict: 'rejected' });
    const page = fx.projects.queries().page({ datasetId: fx.datasetId, review: 'rejected' }, 0, 10);
    expect(page.rows.map((r) => r.id)).toEqual([fx.imageIds[1]]);
    const unreviewed = fx.projects.queries().page({ datasetId: fx.datasetId, review: 'unreviewed' }, 0, 10);
    expect(unreviewed.total).toBe(4);
  });
});
