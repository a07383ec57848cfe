/**
 * The gazetteer index of label edits (PlaceIndex: regions and ~100k cities) is built
 * and kept on a read-pool thread of its own: autocomplete and an edited review never
 * build it on the main thread, nor wait behind the long reads. An edit is resolved
 * there before its review is queued, and reviews and undos still reach the project in
 * the order they were asked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlaceIndex } from '../../electron/services/audit/places.js';
import { readPoolOf } from '../../electron/services/rpc/reads.js';
import { call, openTempAuditFixture, type TempAuditFixture } from '../helpers/audit-fixture.js';

let fx: TempAuditFixture;
let loads: { mock: { calls: unknown[] } };

beforeEach(() => {
  fx = openTempAuditFixture('georeason-audit-places-');
  loads = vi.spyOn(PlaceIndex, 'load');
});
afterEach(() => {
  vi.restoreAllMocks();
  fx.close();
});

const verdicts = (): string[] =>
  (fx.projects.requireStore().db.prepare('SELECT verdict FROM label_reviews ORDER BY id').pluck().all() as string[]);

describe('the gazetteer index of label edits', () => {
  it('answers autocomplete and resolves edits without being built on the main thread', async () => {
    const border = fx.imageIds[1] as number;
    const countries = await call(fx, 'audit.places', { level: 'country', query: 'fran', limit: 5 });
    expect(countries[0]).toMatchObject({ code: 'FR', name: 'France' });
    const cities = await call(fx, 'audit.places', { level: 'city', countryCode: 'FR', regionCode: 'FR-GES', query: 'wissem', limit: 5 });
    expect(cities.map((c) => c.name)).toContain('Wissembourg');
    const e = await call(fx, 'audit.review', {
      imageId: border,
      verdict: 'edited',
      edit: { countryCode: 'FR', regionCode: 'FR-GES', region: null, city: 'wissembourg' },
    });
    expect(e.current).toMatchObject({ status: 'edited', country: 'France', region: 'Grand Est', city: 'Wissembourg', cityFree: false });
    expect(e.item.cityLat).toBeCloseTo(49.037, 2);
    expect(loads.mock.calls).toHaveLength(0);
    // A thread of its own: never queued behind the long reads of the read pool.
    const store = fx.projects.requireStore();
    expect(readPoolOf(store, 'gazetteer').threads).toBe(1);
    expect(readPoolOf(store).threads).toBe(0);
  });

  it('refuses an edit the gazetteer does not know, and stores nothing', async () => {
    const border = fx.imageIds[1] as number;
    await expect(call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'QQ', regionCode: null, region: null, city: null } })).rejects.toThrow(
      "unknown country code 'QQ'",
    );
    await expect(
      call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: 'DE-BW', region: null, city: null } }),
    ).rejects.toThrow("'DE-BW' is not a region of France");
    expect(verdicts()).toEqual([]);
  });

  it('keeps the order of an edit and the undo asked right after it', async () => {
    const border = fx.imageIds[1] as number;
    const edit = call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'Strasbourg' } });
    const undo = call(fx, 'audit.undo', { imageId: border });
    const accept = call(fx, 'audit.review', { imageId: border, verdict: 'accepted' });
    await Promise.all([edit, undo, accept]);
    expect(verdicts()).toEqual(['edited', 'undo', 'accepted']);
    expect((await accept).current).toMatchObject({ status: 'accepted', countryCode: 'DE', city: 'Karlsruhe' });
  });
});
