/**
 * Geo-R hard-sample selection: the spatial index agrees with a brute-force haversine
 * scan; hotspots come from a run's completions or a prediction file; the kept
 * samples are saved as a named subset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { haversineKm } from '../../shared/geo/haversine.js';
import { selectHard } from '../../electron/services/audit/hard-samples.js';
import { mulberry32 } from '../../electron/services/audit/export/training-rows.js';
import { call, openTempAuditFixture, type TempAuditFixture } from '../helpers/audit-fixture.js';

describe('selectHard', () => {
  it('drops exactly the samples within R km of a hotspot (brute force check)', () => {
    const random = mulberry32(7);
    const make = (n: number) => {
      const lat = new Float64Array(n);
      const lon = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        lat[i] = Math.asin(2 * random() - 1) * (180 / Math.PI);
        lon[i] = 360 * random() - 180;
      }
      return { lat, lon };
    };
    const samples = make(3000);
    const hotspots = make(150);
    // A hotspot across the antimeridian from a sample: 22 km apart.
    samples.lat[0] = 10;
    samples.lon[0] = 179.9;
    hotspots.lat[0] = 10;
    hotspots.lon[0] = -179.9;
    const keep = selectHard(samples, hotspots, 200);
    let mismatches = 0;
    for (let i = 0; i < 3000; i++) {
      let near = false;
      for (let j = 0; j < 150; j++) {
        const d = haversineKm(samples.lat[i] ?? 0, samples.lon[i] ?? 0, hotspots.lat[j] ?? 0, hotspots.lon[j] ?? 0);
        // Skip the knife edge where two formulas may round apart.
        if (Math.abs(d - 200) < 1e-6) near = keep[i] === 0;
        else if (d <= 200) near = true;
      }
      if (near !== (keep[i] === 0)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(keep[0]).toBe(0);
    expect(keep.reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
    expect(selectHard(samples, { lat: new Float64Array(0), lon: new Float64Array(0) }, 200).every((k) => k === 1)).toBe(true);
  });
});

describe('hard samples over a project', () => {
  let fx: TempAuditFixture;
  beforeEach(() => {
    fx = openTempAuditFixture('georeason-audit-hard-');
  });
  afterEach(() => fx.close());

  function addRun(kms: [number, number | null][]): number {
    const db = fx.projects.requireStore().db;
    const runId = Number(
      db.prepare("INSERT INTO runs(kind, name, dataset_id, status, created_at) VALUES ('import', 'r', ?, 'done', ?)").run(fx.datasetId, new Date().toISOString())
        .lastInsertRowid,
    );
    kms.forEach(([imageIndex, km], sample) => {
      db.prepare('INSERT INTO completions(run_id, image_id, sample, km) VALUES (?, ?, ?, ?)').run(runId, fx.imageIds[imageIndex], sample, km);
    });
    return runId;
  }

  it('finds hotspots in a run (half the samples within X km) and drops their neighbours', async () => {
    // Paris: 2 of 2 samples within 25 km → hotspot; Lyon (392 km away) kept at R = 200, dropped at R = 500.
    // Tokyo: 1 of 3 within → not a hotspot.
    const runId = addRun([
      [4, 3],
      [4, 10],
      [0, 5],
      [0, 900],
      [0, null],
    ]);
    const preview = await call(fx, 'audit.hard.preview', { datasetId: fx.datasetId, source: { runId } });
    expect(preview).toMatchObject({ samples: 6, hotspots: 1, dropped: 1, kept: 5, predicted: 2 });
    expect(preview.hotspotPoints).toEqual([48.8584, 2.2945]);
    expect(preview.keptPoints).toHaveLength(10);
    const wide = await call(fx, 'audit.hard.preview', { datasetId: fx.datasetId, source: { runId }, radiusKm: 500 });
    expect(wide.dropped).toBe(3); // Paris, Lyon and the German border point (≈ 400 km)
    const subset = await call(fx, 'audit.hard.save', { datasetId: fx.datasetId, source: { runId }, name: 'hard-200' });
    expect(subset).toMatchObject({ name: 'hard-200', kind: 'hard-samples', members: 5, params: { hotspotKm: 25, radiusKm: 200, hotspots: 1 } });
    await expect(call(fx, 'audit.hard.save', { datasetId: fx.datasetId, source: { runId }, name: 'hard-200' })).rejects.toThrow(/exists already/);
    expect((await call(fx, 'audit.subsets.list', { datasetId: fx.datasetId })).map((s) => s.name)).toEqual(['hard-200']);
    expect(await call(fx, 'audit.subsets.delete', { id: subset.id })).toEqual({ deleted: true });
    expect(await call(fx, 'audit.subsets.list', {})).toEqual([]);
  });

  it('reads hotspots from a prediction file', async () => {
    const file = path.join(fx.dir, 'pred.csv');
    fs.writeFileSync(file, 'IMG_ID,LAT,LON\na/tokyo.jpg,35.69,139.70\nc/paris.jpg,40.0,-3.0\n');
    const preview = await call(fx, 'audit.hard.preview', { datasetId: fx.datasetId, source: { file } });
    expect(preview).toMatchObject({ hotspots: 1, dropped: 1, predicted: 2 });
    expect(preview.droppedPoints).toEqual([35.6812, 139.7671]);
    const bad = path.join(fx.dir, 'none.csv');
    fs.writeFileSync(bad, 'IMG_ID,LAT,LON\nzzz.jpg,1,2\n');
    await expect(call(fx, 'audit.hard.preview', { datasetId: fx.datasetId, source: { file: bad } })).rejects.toThrow(/no prediction matched/);
    await expect(call(fx, 'audit.hard.preview', { datasetId: fx.datasetId, source: { runId: 99 } })).rejects.toThrow(/no run/);
  });
});
