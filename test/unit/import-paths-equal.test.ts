/**
 * However a labelled import runs, it writes the same project: labels made on the
 * import's own thread or in a labelling thread, indexes kept during the load or dropped
 * and built after. Compared row by row, every column with its storage class: images,
 * cor_labels (with the order rows were inserted in), label_facets, label_agreement,
 * the index definitions and the dataset's stats. The rows own place columns come and
 * go at random, so the writer meets many patterns of label rows (more than it keeps a
 * statement for). And what was counted while writing equals what SQL counts after:
 * facets, agreement, each label's risk and agreement bits.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshAgreement, scoreLabel } from '../../electron/services/geo/label-risk.js';
import { importDataset, type ImportTuning } from '../../electron/services/datasets/import-dataset.js';
import { refreshLabelFacets } from '../../electron/services/datasets/label-facets.js';
import { detachedTask } from '../../electron/services/rpc/task-context.js';
import { ProjectStore } from '../../electron/services/store/project-store.js';
import { mulberry32 } from '../../shared/random.js';
import { tempDir } from '../helpers/temp.js';

const ROWS = 9_000;
const HEADER = 'IMG_ID,LAT,LON,neighbourhood,city,county,state,region,country,continent';
const CITIES = ['Paris', 'Washington, D.C.', 'The "Big" Apple', 'São Paulo', 'Kyōto', ''];
const STATES = ['Île-de-France', 'District of Columbia', 'New York', 'São Paulo', ''];
const COUNTRIES = ['France', 'United States', 'Brazil', 'Japan', 'Atlantis', ''];

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

let dir: string;
let cleanup: () => void;
let csv: string;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('georeason-import-paths-'));
  const rand = mulberry32(7);
  const pick = (list: string[]): string => list[Math.floor(rand() * list.length)] as string;
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const lat = (rand() * 140 - 60).toFixed(5);
    const lon = (rand() * 360 - 180).toFixed(5);
    const own = rand() < 0.6;
    const hood = rand() < 0.2 ? 'Old Town' : '';
    const names = own ? [pick(CITIES), '', pick(STATES), '', pick(COUNTRIES)] : ['', '', '', '', ''];
    lines.push([`p/${i}.jpg`, lat, lon, hood, ...names.map(quote), rand() < 0.5 ? 'Europe' : ''].join(','));
  }
  csv = path.join(dir, 'mixed.csv');
  fs.writeFileSync(csv, `${lines.join('\n')}\n`);
});
afterAll(() => cleanup());

type Rows = Record<string, unknown>[];

/** Every column with its storage class, in a fixed order. */
function dump(db: Database.Database, table: string, order: string): Rows {
  const cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const select = cols.map((c) => (c === 'created_at' ? `${c} = (SELECT created_at FROM datasets d WHERE d.id = dataset_id) AS created_ok` : c));
  const types = cols.map((c) => `typeof(${c}) AS "${c}:type"`);
  return db.prepare(`SELECT ${[...select, ...types].join(', ')} FROM ${table} ORDER BY ${order}`).all() as Rows;
}

interface Project {
  images: Rows;
  labels: Rows;
  insertionOrder: Rows;
  facets: Rows;
  agreement: Rows;
  indexes: Rows;
  stats: Record<string, unknown>;
  integrity: unknown;
}

async function importWith(name: string, tuning: ImportTuning): Promise<{ project: Project; file: string }> {
  const file = path.join(dir, `${name}.georeason.sqlite`);
  ProjectStore.create(file).close();
  const result = await importDataset(file, { source: csv, label: true }, detachedTask(), tuning);
  expect(result.rows).toBe(ROWS);
  const store = ProjectStore.open(file);
  try {
    const db = store.db;
    const stats = JSON.parse(db.prepare('SELECT stats_json FROM datasets').pluck().get() as string) as Record<string, unknown>;
    delete stats.durationMs;
    delete stats.phases;
    delete stats.importedAt;
    return {
      file,
      project: {
        images: dump(db, 'images', 'id'),
        labels: dump(db, 'cor_labels', 'image_id, source'),
        insertionOrder: db.prepare('SELECT image_id, source FROM cor_labels ORDER BY rowid').all() as Rows,
        facets: dump(db, 'label_facets', 'dataset_id, source, country_code, region_code, city, flags'),
        agreement: dump(db, 'label_agreement', 'dataset_id, country_code, agree'),
        indexes: db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all() as Rows,
        stats,
        integrity: db.pragma('integrity_check', { simple: true }),
      },
    };
  } finally {
    store.close();
  }
}

describe('labelled import paths', () => {
  let inline: { project: Project; file: string };
  let thread: { project: Project; file: string };

  beforeAll(async () => {
    inline = await importWith('inline', { labelInThread: true, deferIndexes: true });
    thread = await importWith('thread', { deferIndexes: true });
  });

  it('write the same rows, facets, agreement, indexes and stats, labelled inline or in a thread', () => {
    expect(thread.project.integrity).toBe('ok');
    expect(thread.project.labels.filter((r) => r.source === 'dataset').length).toBeGreaterThan(ROWS / 3);
    expect(thread.project.insertionOrder).toEqual(thread.project.labels.map((r) => ({ image_id: r.image_id, source: r.source })));
    expect(thread.project).toEqual(inline.project);
  });

  it('write the same project with the indexes kept during the load', async () => {
    const kept = await importWith('kept', { deferIndexes: false });
    expect(kept.project).toEqual(thread.project);
  });

  it('write the same project with each index sorted as one run in the page cache', async () => {
    const oneRun = await importWith('one-run', { deferIndexes: true, oneSortRun: true });
    expect(oneRun.project).toEqual(thread.project);
  });

  it('stores what the columns say: counts, facets, agreement and risk as SQL and the scorer give them', () => {
    const store = ProjectStore.open(thread.file);
    try {
      const db = store.db;
      for (const r of thread.project.labels) {
        expect(r.created_ok).toBe(1);
        expect(r['dataset_id:type']).toBe('integer');
        expect(r['flags:type']).toBe('integer');
        if (r.source === 'gazetteer') expect([r['risk:type'], r['agree:type']]).toEqual(['integer', 'integer']);
        else expect([r.region_code, r.city_lat, r.city_lon, r.city_km, r.border_km, r.flags, r.risk, r.agree]).toEqual([null, null, null, null, null, 0, null, null]);
      }
      const own = new Map(thread.project.labels.filter((r) => r.source === 'dataset').map((r) => [r.image_id, r]));
      for (const g of thread.project.labels.filter((r) => r.source === 'gazetteer')) {
        const d = own.get(g.image_id);
        const names = (r: Record<string, unknown>) => ({
          countryCode: r.country_code as string | null,
          country: r.country as string | null,
          region: r.region as string | null,
          city: r.city as string | null,
        });
        expect({ risk: g.risk, agree: g.agree }).toEqual(scoreLabel(g.flags as number, g.city_km as number | null, names(g), d ? names(d) : null));
      }
      db.exec('BEGIN');
      refreshLabelFacets(db, 1);
      refreshAgreement(db, 1);
      expect(dump(db, 'label_facets', 'dataset_id, source, country_code, region_code, city, flags')).toEqual(thread.project.facets);
      expect(dump(db, 'label_agreement', 'dataset_id, country_code, agree')).toEqual(thread.project.agreement);
      db.exec('ROLLBACK');
      const stats = thread.project.stats;
      expect([stats.rows, stats.labeled, stats.datasetLabels]).toEqual([ROWS, ROWS, own.size]);
    } finally {
      store.close();
    }
  });
});
