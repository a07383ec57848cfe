/** The IM2GPS3K demo points, which the benchmarks replicate into projects of any size. */
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../electron/services/app-paths.js';

/** The points of resources/demo/im2gps3k.csv (id,lat,lon rows after a header), in file order. */
export function im2gps3kPoints(): { lat: number; lon: number }[] {
  return fs
    .readFileSync(path.join(resourcesDir, 'demo', 'im2gps3k.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, lat, lon] = line.split(',');
      return { lat: Number(lat), lon: Number(lon) };
    });
}
