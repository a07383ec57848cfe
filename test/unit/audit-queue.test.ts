/**
 * The review queue's risk order (flags, gazetteer vs dataset disagreement, distance
 * to the city), its scopes and cursor; autocomplete down the chain from the shipped
 * gazetteer; and the audit statistics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { riskOf } from '../../electron/services/geo/risk.js';
import { call, openTempAuditFixture, type TempAuditFixture } from '../helpers/audit-fixture.js';

let fx: TempAuditFixture;

beforeEach(() => {
  fx = openTempAuditFixture('georeason-audit-queue-');
});
afterEach(() => fx.close());

describe('risk', () => {
  it('adds flags, disagreements and the distance to the city', () => {
    const base = { flags: 0, cityKm: 0, gCountryCode: 'JP', gCountry: 'Japan', gRegion: 'Hokkaidō', gCity: 'Biei', dCountryCode: null, dCountry: null, dRegion: null, dCity: null };
    expect(riskOf(base)).toEqual({ risk: 0, reasons: [] });
    // Accents and "Town" suffixes are not disagreements.
    expect(riskOf({ ...base, dCountryCode: 'JP', dCountry: 'Japan', dRegion: 'Hokkaido', dCity: 'Biei Town' }).reasons).toEqual([]);
    expect(riskOf({ ...base, dCountryCode: 'CN', dCountry: 'China', dRegion: 'Jilin', dCity: 'Yanji' }).reasons).toEqual([
      'country_disagrees',
      'region_disagrees',
      'city_disagrees',
    ]);
    expect(riskOf({ ...base, flags: 4, cityKm: 50 })).toEqual({ risk: 3, reasons: ['far_city'] });
    expect(riskOf({ ...base, cityKm: 500 }).risk).toBe(2);
  });
});

describe('audit queue', () => {
  it('orders by risk with reasons, and pages by cursor', async () => {
    const page = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'all', limit: 3 });
    // border: near_border 2 + country 5 + region 2 + city 1 + 0.24; sea: ocean 5; biei: far_city 2 + 0.8
    expect(page.items.map((i) => i.relPath)).toEqual(['a/border.jpg', 'b/sea.jpg', 'b/biei.jpg']);
    expect(page.items.map((i) => i.risk)).toEqual([10.24, 5, 2.8]);
    expect(page.items[0]?.reasons).toEqual(['near_border', 'country_disagrees', 'region_disagrees', 'city_disagrees']);
    expect(page.items[0]?.dataset).toMatchObject({ country: 'France', city: 'Lauterbourg' });
    expect(page.items[0]?.current.status).toBe('unreviewed');
    expect(page.nextCursor).not.toBeNull();
    const next = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'all', cursor: page.nextCursor, limit: 10 });
    expect(next.items.map((i) => i.relPath)).toEqual(['c/paris.jpg', 'c/lyon.jpg', 'a/tokyo.jpg']);
    expect(next.nextCursor).toBeNull();
    expect(next.ordered).toBe(6);
  });

  it('skips reviewed photos in the unreviewed scope and filters by flag and country', async () => {
    await call(fx, 'audit.review', { imageId: fx.imageIds[1] as number, verdict: 'rejected' });
    const page = await call(fx, 'audit.queue', { datasetId: fx.datasetId });
    expect(page.items.map((i) => i.relPath)[0]).toBe('b/sea.jpg');
    expect(page.items).toHaveLength(5);
    const reviewed = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'reviewed' });
    expect(reviewed.items.map((i) => i.current.status)).toEqual(['rejected']);
    const flagged = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'all', flag: 'far_city' });
    expect(flagged.items.map((i) => i.relPath)).toEqual(['b/biei.jpg']);
    const fr = await call(fx, 'audit.queue', { datasetId: fx.datasetId, scope: 'all', country: 'FR' });
    expect(fr.items.map((i) => i.relPath)).toEqual(['c/paris.jpg', 'c/lyon.jpg']);
    await expect(call(fx, 'audit.queue', { datasetId: 9999 })).rejects.toThrow(/no dataset/);
  });
});

describe('autocomplete down the chain', () => {
  it('lists countries, the regions of a country, and the cities of a region', async () => {
    const countries = await call(fx, 'audit.places', { level: 'country', query: 'jap' });
    expect(countries[0]).toMatchObject({ code: 'JP', name: 'Japan' });
    const regions = await call(fx, 'audit.places', { level: 'region', countryCode: 'JP', query: 'hokk' });
    expect(regions.map((r) => r.code)).toEqual(['JP-01']);
    const cities = await call(fx, 'audit.places', { level: 'city', countryCode: 'JP', regionCode: 'JP-01', query: '', limit: 100 });
    const names = cities.map((c) => c.name);
    expect(names[0]).toBe('Sapporo'); // biggest first
    expect(names).not.toContain('Tokyo');
    const biei = await call(fx, 'audit.places', { level: 'city', countryCode: 'JP', regionCode: 'JP-01', query: 'asahik' });
    expect(biei[0]?.name).toBe('Asahikawa');
    expect(biei[0]?.lat).toBeGreaterThan(43);
    const inTokyo = await call(fx, 'audit.places', { level: 'city', countryCode: 'JP', regionCode: 'JP-13', query: 'sappo' });
    expect(inTokyo).toEqual([]);
    expect(await call(fx, 'audit.places', { level: 'region', query: 'x' })).toEqual([]);
  });
});

describe('audit statistics', () => {
  it('counts reviewed share, error rate per flag, source agreement per level and per country', async () => {
    const [tokyo, border, sea, biei] = fx.imageIds as [number, number, number, number];
    await call(fx, 'audit.review', { imageId: tokyo, verdict: 'accepted' });
    await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: null } });
    await call(fx, 'audit.review', { imageId: sea, verdict: 'rejected' });
    await call(fx, 'audit.review', { imageId: biei, verdict: 'accepted' });
    const s = await call(fx, 'audit.stats', { datasetId: fx.datasetId });
    expect(s.images).toBe(6);
    expect(s.reviewed).toBe(4);
    expect(s.byStatus).toEqual({ accepted: 2, rejected: 1, edited: 1, unreviewed: 2 });
    const flag = (name: string) => s.flags.find((f) => f.flag === name);
    expect(flag('near_border')).toMatchObject({ labels: 1, reviewed: 1, wrong: 1, errorRate: 1 });
    expect(flag('far_city')).toMatchObject({ labels: 1, reviewed: 1, wrong: 0, errorRate: 0 });
    expect(flag('ocean')).toMatchObject({ labels: 1, reviewed: 1, wrong: 1, errorRate: 1 });
    expect(flag('disputed')).toMatchObject({ labels: 0, reviewed: 0, errorRate: null });
    // tokyo, border, biei have both sources: country agrees 2/3, city 2/3
    expect(s.agreement.compared).toBe(3);
    expect(s.agreement.country).toBeCloseTo(2 / 3);
    expect(s.agreement.city).toBeCloseTo(2 / 3);
    const jp = s.countries.find((c) => c.countryCode === 'JP');
    expect(jp).toMatchObject({ images: 2, reviewed: 2, wrong: 0, agreeCountry: 1, agreeCity: 1 });
    // undo brings a photo back to unreviewed
    await call(fx, 'audit.undo', { imageId: sea });
    const after = await call(fx, 'audit.stats', { datasetId: fx.datasetId });
    expect(after.byStatus.rejected).toBe(0);
  });
});
