/**
 * `npm run bench [name-filter]`: runs every benchmark in bench/*.bench.ts and
 * prints its figures, then a JSON summary on the last line. Exit code is 0 unless a
 * benchmark throws: speed targets are reported, never enforced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, Figure } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const scale = Number(process.env.BENCH_SCALE ?? '1');
const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const summary: Record<string, Figure[]> = {};
let failed = 0;

for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { benchmarks?: Benchmark[] };
  for (const bench of mod.benchmarks ?? []) {
    if (filter && !bench.name.includes(filter)) continue;
    console.log(`\n== ${bench.name}`);
    const figures: Figure[] = [];
    try {
      await bench.run({
        scale,
        figure(f) {
          figures.push(f);
          const value = Number.isInteger(f.value) ? String(f.value) : f.value.toPrecision(4);
          console.log(`   ${f.name.padEnd(48)} ${value.padStart(12)} ${f.unit}${f.target ? `   (target ${f.target})` : ''}`);
        },
        note(text) {
          console.log(`   ${text}`);
        },
      });
    } catch (err) {
      failed++;
      console.log(`   FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    summary[bench.name] = figures;
  }
}
console.log(`\n${JSON.stringify({ bench: summary })}`);
process.exitCode = failed > 0 ? 1 : 0;
