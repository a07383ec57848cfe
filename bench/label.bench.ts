/**
 * Chain-of-Region labeling speed: 1,000,000 points drawn like photo locations (most
 * jittered around populated places, the rest uniform over the globe, land and ocean)
 * through the full labeler (country, region, city, border distance, flags), on one
 * core. Baseline, measured in the same run on a sample: country lookup by a linear
 * scan over every polygon (bounding-box test, then ray casting).
 */
import { resourcesDir } from '../electron/services/app-paths.js';
import { readGeodata, type PolygonData } from '../electron/services/geo/geodata.js';
import { Labeler } from '../electron/services/geo/labeler.js';
import { peakRssMb, timeIt, type Benchmark } from './harness.js';
import { mulberry32 as rng } from '../shared/random.js';


function makePoints(n: number, cityLat: Float64Array, cityLon: Float64Array, pop: Float64Array): Float64Array {
  const rand = rng(42);
  const pts = new Float64Array(2 * n);
  // Photos cluster in big places: pick places with probability ~ sqrt(population).
  const cumulative = new Float64Array(pop.length);
  let sum = 0;
  for (let i = 0; i < pop.length; i++) cumulative[i] = sum += Math.sqrt(pop[i] ?? 0);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  for (let k = 0; k < n; k++) {
    let lat: number;
    let lon: number;
    if (rand() < 0.8) {
      const target = rand() * sum;
      let lo = 0;
      let hi = pop.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
        else hi = mid;
      }
      const km = 3 + 10 * rand();
      lat = (cityLat[lo] ?? 0) + (gauss() * km) / 111.2;
      lon = (cityLon[lo] ?? 0) + (gauss() * km) / (111.2 * Math.max(0.1, Math.cos(((cityLat[lo] ?? 0) * Math.PI) / 180)));
    } else {
      // Uniform on the sphere: about 30% land, 70% ocean.
      lat = (Math.asin(2 * rand() - 1) * 180) / Math.PI;
      lon = rand() * 360 - 180;
    }
    pts[2 * k] = Math.max(-90, Math.min(90, lat));
    pts[2 * k + 1] = ((((lon + 180) % 360) + 360) % 360) - 180;
  }
  return pts;
}

/** The naive country lookup: every polygon's bounding box, then ray casting over its rings. */
function naiveLocator(p: PolygonData): (lat: number, lon: number) => number {
  const f = p.featureRegion.length;
  const bbox = new Float64Array(4 * f);
  for (let i = 0; i < f; i++) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const s = p.ringPointStart[p.featureRingStart[i] ?? 0] ?? 0;
    const e = p.ringPointStart[p.featureRingStart[i + 1] ?? 0] ?? 0;
    for (let k = s; k < e; k++) {
      const x = p.coords[2 * k] ?? 0;
      const y = p.coords[2 * k + 1] ?? 0;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    bbox.set([x0, y0, x1, y1], 4 * i);
  }
  return (lat, lon) => {
    for (let i = 0; i < f; i++) {
      if (lon < (bbox[4 * i] ?? 0) || lat < (bbox[4 * i + 1] ?? 0) || lon > (bbox[4 * i + 2] ?? 0) || lat > (bbox[4 * i + 3] ?? 0)) continue;
      let inside = false;
      for (let r = p.featureRingStart[i] ?? 0; r < (p.featureRingStart[i + 1] ?? 0); r++) {
        const s = p.ringPointStart[r] ?? 0;
        const e = p.ringPointStart[r + 1] ?? 0;
        for (let k = s, j = e - 1; k < e; j = k++) {
          const xi = p.coords[2 * k] ?? 0;
          const yi = p.coords[2 * k + 1] ?? 0;
          const xj = p.coords[2 * j] ?? 0;
          const yj = p.coords[2 * j + 1] ?? 0;
          if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
        }
      }
      if (inside) return p.featureRegion[i] ?? -1;
    }
    return -1;
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'label: 1M photo-like points (country, region, city, flags)',
    run(ctx) {
      const n = Math.max(1000, Math.round(1_000_000 * ctx.scale));
      const load = timeIt(() => readGeodata(resourcesDir));
      const data = load.value;
      const build = timeIt(() => new Labeler(data));
      const labeler = build.value;
      ctx.figure({ name: 'load geodata files', value: load.ms, unit: 'ms' });
      ctx.figure({ name: 'build indexes', value: build.ms, unit: 'ms' });
      const pts = makePoints(n, data.cities.lat, data.cities.lon, data.cities.population);

      let ocean = 0;
      let flagged = 0;
      const run = timeIt(() => {
        for (let k = 0; k < n; k++) {
          const l = labeler.label(pts[2 * k] ?? 0, pts[2 * k + 1] ?? 0);
          if (l.countryCode === null) ocean++;
          if (l.flags.length > 0) flagged++;
        }
      });
      const seconds = run.ms / 1000;
      ctx.figure({ name: `label ${n} points`, value: seconds, unit: 's', target: n === 1_000_000 ? '< 20 s' : undefined });
      ctx.figure({ name: 'throughput', value: Math.round(n / seconds), unit: 'points/s', target: '> 50000' });
      ctx.figure({ name: 'peak memory (RSS)', value: Math.round(peakRssMb()), unit: 'MB', target: '< 1024' });
      ctx.note(`${((100 * ocean) / n).toFixed(1)}% open water, ${((100 * flagged) / n).toFixed(1)}% with a flag`);

      // Baseline on a sample: country lookup alone by a linear scan over the polygons.
      const naive = naiveLocator(data.polygons);
      const sample = Math.max(100, Math.round(2000 * ctx.scale));
      const step = Math.floor(n / sample);
      const base = timeIt(() => {
        let found = 0;
        for (let s = 0; s < sample; s++) if (naive(pts[2 * s * step] ?? 0, pts[2 * s * step + 1] ?? 0) >= 0) found++;
        return found;
      });
      const naivePerPoint = base.ms / sample;
      // Like for like: the grid index answering the same question for all n points.
      const indexed = timeIt(() => {
        let found = 0;
        for (let k = 0; k < n; k++) if (labeler.regionAt(pts[2 * k] ?? 0, pts[2 * k + 1] ?? 0).region >= 0) found++;
        return found;
      });
      ctx.figure({ name: `baseline: linear polygon scan (${sample} pts)`, value: Math.round(sample / (base.ms / 1000)), unit: 'points/s' });
      ctx.figure({ name: 'grid index, same lookup (all points)', value: Math.round(n / (indexed.ms / 1000)), unit: 'points/s' });
      ctx.figure({ name: 'speed-up: point-in-polygon, index vs scan', value: naivePerPoint / (indexed.ms / n), unit: 'x' });
      ctx.figure({ name: 'speed-up: full label vs scan lookup alone', value: naivePerPoint / (run.ms / n), unit: 'x' });
    },
  },
];
