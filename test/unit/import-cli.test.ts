import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../electron/cli/command.js';
import { importCommand } from '../../electron/cli/commands/import.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { repoRoot } from '../helpers/server-process.js';
import { captureIo } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/temp.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'datasets');

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('georeason-import-cli-')));
afterEach(() => cleanup());

const capture = (): ReturnType<typeof captureIo> => captureIo(dir, { ...process.env, CI: '1' });

function datasets(file: string): { name: string; format: string; images: number; labels: number }[] {
  const store = ProjectStore.open(file);
  try {
    return store.db
      .prepare(
        `SELECT d.name, d.format,
                (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images,
                (SELECT COUNT(*) FROM cor_labels l JOIN images i ON i.id = l.image_id WHERE i.dataset_id = d.id AND l.source = 'gazetteer') AS labels
           FROM datasets d ORDER BY d.id`,
      )
      .all() as { name: string; format: string; images: number; labels: number }[];
  } finally {
    store.close();
  }
}

describe('georeason import', () => {
  it('creates the project when missing, imports with labels and prints a one-line summary', async () => {
    const io = capture();
    const code = await importCommand.run(['--project', 'new-project', path.join(fixtures, 'mp16pro.csv')], io);
    expect(io.err).not.toMatch(/Error/);
    expect(code).toBe(0);
    const file = path.join(dir, 'new-project.georeason.sqlite');
    expect(fs.existsSync(file)).toBe(true);
    expect(io.out.trim().split('\n')).toHaveLength(1);
    expect(io.out).toMatch(/^imported 7 rows into dataset 'mp16pro' \(id 1, mp16-pro\), 7 labelled, 0 photos present, 7 missing, [\d.]+ s\n$/);
    expect(datasets(file)).toEqual([{ name: 'mp16pro', format: 'mp16-pro', images: 7, labels: 7 }]);
  });

  it('takes --images, --name and --no-label into an existing project', async () => {
    const file = path.join(dir, 'p.georeason.sqlite');
    ProjectStore.create(file).close();
    const images = path.join(dir, 'photos');
    fs.mkdirSync(path.join(images, 'images', '0', '1000'), { recursive: true });
    fs.writeFileSync(path.join(images, 'images', '0', '1000', '100002.jpg'), 'x');
    const io = capture();
    const code = await importCommand.run(['--project', file, path.join(fixtures, 'geoclip.csv'), '--images', 'photos', '--name', 'GeoCLIP val', '--no-label'], io);
    expect(code).toBe(0);
    expect(io.out).toMatch(/3 rows into dataset 'GeoCLIP val'.*0 labelled, 1 photos present, 2 missing/);
    expect(datasets(file)).toEqual([{ name: 'GeoCLIP val', format: 'geoclip', images: 3, labels: 0 }]);
  });

  it('exits 1 with file:line reasons on stderr and leaves the project unchanged', async () => {
    const file = path.join(dir, 'p.georeason.sqlite');
    const io0 = capture();
    expect(await importCommand.run(['--project', file, path.join(fixtures, 'yfcc4k.csv'), '--no-label'], io0)).toBe(0);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'IMG_FILE,LAT,LON\na.jpg,10,20\nb.jpg,100,20\nc.jpg,10\n');
    const io = capture();
    expect(await importCommand.run(['--project', file, bad], io)).toBe(1);
    expect(io.err).toContain(`${bad}:3: latitude 100 is out of range (±90)\n`);
    expect(io.err).toContain(`${bad}:4: missing column 'LON' (2 of 3 fields)\n`);
    expect(io.out).toBe('');
    expect(datasets(file)).toEqual([{ name: 'yfcc4k', format: 'yfcc4k', images: 3, labels: 0 }]);

    const io2 = capture();
    expect(await importCommand.run(['--project', file, bad, '--skip-bad', '--no-label'], io2)).toBe(0);
    expect(io2.out).toMatch(/imported 1 rows .* 2 bad rows skipped/);
  });

  it('explains usage mistakes', async () => {
    await expect(importCommand.run([path.join(fixtures, 'geoclip.csv')], capture())).rejects.toBeInstanceOf(UsageError);
    await expect(importCommand.run(['--project', 'x'], capture())).rejects.toThrow(/exactly one metadata file/);
    await expect(importCommand.run(['--project', 'x', 'nowhere.csv'], capture())).rejects.toThrow(/no such file/);
    expect(fs.existsSync(path.join(dir, 'x.georeason.sqlite'))).toBe(false);
  });
});

describe('georeason import into a new project that fails', () => {
  it('leaves no project behind', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'IMG_FILE,LAT,LON\na.jpg,10,abc\n');
    const io = capture();
    expect(await importCommand.run(['--project', 'fresh', bad], io)).toBe(1);
    expect(io.err).toContain(`${bad}:2: longitude 'abc' is not a number`);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('fresh'))).toEqual([]);
  });
});
