import { describe, expect, it } from 'vitest';
import type { CompletionRow } from '../../shared/rpc/completions-methods.js';
import { buildFilter, canResume, consistency, consistencyNotes, pointLabels } from '../../renderer/src/lib/completions-format.js';

const row = (over: Partial<CompletionRow>): CompletionRow => ({
  id: 1, imageId: 1, relPath: 'a.jpg', photo: 1, sample: 0, text: null, reasoning: null, country: 'France', region: 'Île-de-France', city: 'Paris',
  lat: 48.85, lon: 2.35, formatOk: true, km: 10, countryOk: true, regionOk: true, cityOk: true, coordInCountry: true, coordInRegion: true,
  cityCoordKm: 1, coordCountry: 'France', coordRegion: 'Île-de-France', error: null, latencyMs: null, truthLat: 48.9, truthLon: 2.3,
  ...over,
});

describe('completions view helpers', () => {
  it('builds the service filter from chips and a distance band', () => {
    expect(buildFilter(new Set(), 'any')).toEqual({});
    expect(buildFilter(new Set(['formatFailed', 'inconsistent'] as const), 'b200')).toEqual({ formatFailed: true, inconsistent: true, kmMin: 25, kmMax: 200 });
    expect(buildFilter(new Set(), 'far')).toEqual({ kmMin: 2500 });
  });

  it('tells a chain that disagrees with its own point, as the service filter does', () => {
    expect(consistency(row({}))).toBe('consistent');
    expect(consistency(row({ coordInCountry: false, coordCountry: 'Belgium' }))).toBe('inconsistent');
    expect(consistencyNotes(row({ coordInCountry: false, coordCountry: 'Belgium' }))).toEqual(['point lies in Belgium, not France']);
    expect(consistency(row({ cityCoordKm: 51 }))).toBe('inconsistent');
    expect(consistency(row({ coordInCountry: null, coordInRegion: null, cityCoordKm: null }))).toBe('unknown');
  });

  it('labels samples at one point together', () => {
    const labels = pointLabels([
      { sample: 0, lat: 48.8566, lon: 2.3522 },
      { sample: 1, lat: 48.85661, lon: 2.35221 },
      { sample: 2, lat: 35.68, lon: 139.69 },
    ]);
    expect([...labels.values()]).toEqual(['1, 2', '3']);
  });

  it('offers resume only for live runs that stopped early', () => {
    const base = { id: 1, name: 'r', model: null, datasetId: 1, datasetName: 'd', createdAt: '', endedAt: null, photos: 0, completions: 0 };
    expect(canResume({ ...base, kind: 'live', status: 'interrupted' })).toBe(true);
    expect(canResume({ ...base, kind: 'live', status: 'done' })).toBe(false);
    expect(canResume({ ...base, kind: 'import', status: 'failed' })).toBe(false);
  });
});
