/**
 * A review re-checks the photo's completions against the label it leaves, inside its
 * own transaction, with the shipped country codes only: the gazetteer (polygons,
 * cities) is never built on the main thread for it, and the checks still compare
 * country names by ISO code ("Deutschland" is Germany).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as GeoLookupModule from '../../electron/services/completions/geo-lookup.js';
import { call, openAuditFixture, type AuditFixture } from '../helpers/audit-fixture.js';
import { tempDir } from '../helpers/temp.js';

const built = vi.hoisted(() => ({ geoLookups: 0 }));
vi.mock('../../electron/services/completions/geo-lookup.js', async (importOriginal) => {
  const real = await importOriginal<typeof GeoLookupModule>();
  return {
    ...real,
    loadGeoLookup: (resourcesDir: string) => {
      built.geoLookups++;
      return real.loadGeoLookup(resourcesDir);
    },
  };
});

let fx: AuditFixture;
let cleanup: () => void;

beforeEach(() => {
  const t = tempDir('georeason-audit-recheck-');
  cleanup = t.cleanup;
  fx = openAuditFixture(t.dir);
  built.geoLookups = 0;
});
afterEach(() => {
  fx.projects.close();
  cleanup();
});

describe('a review of a photo with completions', () => {
  it('re-checks them by name and ISO code without building the gazetteer', async () => {
    const d = fx.projects.requireStore().db;
    const border = fx.imageIds[1] as number; // gazetteer: Germany / Karlsruhe
    const runId = Number(d.prepare("INSERT INTO runs(kind, dataset_id, status, created_at) VALUES ('import', ?, 'done', 'now')").run(fx.datasetId).lastInsertRowid);
    // Stored checks that no longer match the label: the review must replace them.
    d.prepare(
      `INSERT INTO completions(run_id, image_id, sample, text, country, city, lat, lon, format_ok, country_ok, region_ok, city_ok)
       VALUES (?, ?, 0, ?, 'Deutschland', 'Karlsruhe', 49.0, 8.4, 1, 0, NULL, 0)`,
    ).run(runId, border, '<answer>Country: Deutschland, City: Karlsruhe (49.0, 8.4)</answer>');
    const checks = (): unknown => d.prepare('SELECT country_ok, city_ok FROM completions WHERE run_id = ?').get(runId);

    await call(fx, 'audit.review', { imageId: border, verdict: 'accepted' });
    expect(checks()).toEqual({ country_ok: 1, city_ok: 1 });

    await call(fx, 'audit.review', { imageId: border, verdict: 'edited', edit: { countryCode: 'FR', regionCode: null, region: null, city: 'Strasbourg' } });
    expect(checks()).toEqual({ country_ok: 0, city_ok: 0 });

    await call(fx, 'audit.undo', { imageId: border });
    expect(checks()).toEqual({ country_ok: 1, city_ok: 1 });

    await call(fx, 'audit.review', { imageId: border, verdict: 'rejected' });
    expect(checks()).toEqual({ country_ok: null, city_ok: null });

    expect(built.geoLookups).toBe(0);
  });
});
