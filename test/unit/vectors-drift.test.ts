/**
 * The contract vectors in test/fixtures/vectors are copies of ../shared/vectors (the
 * reference folder beside the checkout), subfolders included (released/: numbers the
 * released Geo-R and GLOBE reward functions give). When that folder is present, the
 * copies must be byte-identical and complete; on machines without it the check is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const copies = path.join(repoRoot, 'test', 'fixtures', 'vectors');
const originals = path.resolve(repoRoot, '..', 'shared', 'vectors');
const haveOriginals = fs.existsSync(originals);

/** JSON files under `dir`, as paths relative to it, subfolders included. */
const jsonFiles = (dir: string): string[] =>
  (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();

describe('contract vectors match ../shared/vectors', () => {
  it('the fixtures folder has vector files, the released ones too', () => {
    expect(jsonFiles(copies).length).toBeGreaterThan(0);
    expect(jsonFiles(copies)).toEqual(expect.arrayContaining(['released/geo-r.json', 'released/globe.json']));
  });

  for (const file of jsonFiles(copies)) {
    it.skipIf(!haveOriginals)(`${file} is byte-identical to the original`, () => {
      const original = path.join(originals, file);
      expect(fs.existsSync(original), `${file} has no original in ${originals}`).toBe(true);
      expect(fs.readFileSync(path.join(copies, file)).equals(fs.readFileSync(original))).toBe(true);
    });
  }

  it.skipIf(!haveOriginals)('every original has a copy', () => {
    const missing = jsonFiles(originals).filter((f) => !fs.existsSync(path.join(copies, f)));
    expect(missing).toEqual([]);
  });
});
