import fs from 'node:fs';
import { bboxFormatOk, locLiteralKm } from './shared/reward/geo-r-released.js';
import { globeFormatOk, globeStrictFields, globeStrictMatch } from './shared/reward/globe.js';
const g = JSON.parse(fs.readFileSync('test/fixtures/vectors/released/geo-r.json', 'utf8')).cases as { text: string; lat: number; lon: number }[];
const long = `<think>${'The roofs are red tiles, the road signs are in French, {a} [1, 2] and the vegetation is Mediterranean. '.repeat(20)}</think><answer>{'Country': 'France', 'Coordinates': [43.3, 5.4]}</answer>`;
const texts = [...Array(200)].flatMap(() => g.map((c) => c.text)).concat(Array(5000).fill(long));
for (const [name, f] of [
  ['GLOBE strict fields + match + format', (t: string) => { const s = globeStrictFields(t); globeStrictMatch(s.country, 'France'); globeStrictMatch(s.city, 'Paris'); globeFormatOk(t); }],
  ['LOC literal km', (t: string) => { locLiteralKm(t, 43, 5); }],
  ['box format', (t: string) => { bboxFormatOk(t); }],
] as const) {
  f(texts[0] as string);
  const t0 = performance.now();
  for (const t of texts) f(t);
  const ms = performance.now() - t0;
  console.log(`${name}: ${texts.length} texts in ${ms.toFixed(0)} ms = ${(1000 * ms / texts.length).toFixed(2)} µs/text`);
}
