import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/rpc/errors.js';
import { latestSchemaVersion, migrations } from '../../electron/services/store/migrations.js';
import { applicationId, cacheDirFor, normaliseProjectPath } from '../../electron/services/store/project-file.js';
import { applyMigrations, ProjectStore } from '../../electron/services/store/project-store.js';
import { hasPendingMigrations, migrateOffThread } from '../../electron/services/store/migrate-off-thread.js';
import { createWorkbench } from '../../electron/services/workbench.js';
import { sha256, tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('project store', () => {
  it('creates a WAL-mode project with every migration applied and a cache folder beside it', () => {
    const file = path.join(dir, 'nested', 'a.georeason.sqlite');
    const store = ProjectStore.create(file);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.schemaVersion).toBe(latestSchemaVersion);
    expect(store.db.pragma('application_id', { simple: true })).toBe(applicationId);
    expect(fs.statSync(cacheDirFor(file)).isDirectory()).toBe(true);
    expect(path.basename(cacheDirFor(file))).toBe('a.georeason-cache');
    const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    for (const t of ['datasets', 'images', 'cor_labels', 'label_reviews', 'runs', 'completions', 'reward_presets', 'jobs', 'job_metrics', 'artifacts']) {
      expect(tables).toContain(t);
    }
    expect(store.meta('created_at')).toMatch(/^\d{4}-/);
    store.close();
  });

  it('keeps data across close and reopen', () => {
    const file = path.join(dir, 'keep.georeason.sqlite');
    const store = ProjectStore.create(file);
    store.db.prepare("INSERT INTO datasets(name, format, created_at) VALUES ('d', 'csv', 'now')").run();
    store.close();
    const again = ProjectStore.open(file);
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM datasets').get() as { n: number }).n).toBe(1);
    again.close();
  });

  it('adds the extension to a bare name', () => {
    expect(normaliseProjectPath(path.join(dir, 'x'))).toBe(path.join(dir, 'x.georeason.sqlite'));
    expect(normaliseProjectPath(path.join(dir, 'x.georeason.sqlite'))).toBe(path.join(dir, 'x.georeason.sqlite'));
  });

  it('refuses to create over an existing file', () => {
    const file = path.join(dir, 'taken.georeason.sqlite');
    fs.writeFileSync(file, 'hello');
    expect(() => ProjectStore.create(file)).toThrow(expect.objectContaining({ code: ErrorCode.AlreadyExists }));
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
  });

  it('refuses a project written by a newer version and leaves the file untouched', () => {
    const file = path.join(dir, 'newer.georeason.sqlite');
    ProjectStore.create(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${latestSchemaVersion + 5}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = sha256(file);
    const mtime = fs.statSync(file).mtimeMs;
    expect(() => ProjectStore.open(file)).toThrow(
      expect.objectContaining({ code: ErrorCode.NewerVersion, message: expect.stringMatching(/newer GeoReason Workbench/) }),
    );
    expect(sha256(file)).toBe(before);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a file that is not SQLite, untouched', () => {
    const file = path.join(dir, 'notes.georeason.sqlite');
    fs.writeFileSync(file, 'just some text, not a database\n');
    const before = sha256(file);
    expect(() => ProjectStore.open(file)).toThrow(
      expect.objectContaining({ code: ErrorCode.NotAProject, message: expect.stringMatching(/not an SQLite database/) }),
    );
    expect(sha256(file)).toBe(before);
  });

  it("refuses another application's SQLite database, untouched", () => {
    const file = path.join(dir, 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1);');
    db.close();
    const before = sha256(file);
    expect(() => ProjectStore.open(file)).toThrow(
      expect.objectContaining({ code: ErrorCode.NotAProject, message: expect.stringMatching(/another application/) }),
    );
    expect(sha256(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    check.close();
  });

  it('answers a missing file with NotFound', () => {
    expect(() => ProjectStore.open(path.join(dir, 'nope.georeason.sqlite'))).toThrow(
      expect.objectContaining({ code: ErrorCode.NotFound }),
    );
  });

  it('applies only the pending migrations, each recorded in user_version', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    const db = new Database(':memory:');
    expect(applyMigrations(db, 0)).toEqual(migrations.map((m) => m.version));
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(applyMigrations(db, latestSchemaVersion)).toEqual([]);
    db.close();
  });

  it('migrates an older project in a thread of its own, then opens it with nothing pending', async () => {
    const file = path.join(dir, 'old.georeason.sqlite');
    // A project as schema 7 wrote it, with a completion that schema 8 fills in.
    const db = new Database(file);
    db.pragma(`application_id = ${applicationId}`);
    db.pragma('journal_mode = WAL');
    for (const m of migrations.filter((x) => x.version <= 7)) {
      db.exec(m.sql);
      m.run?.(db);
    }
    db.pragma('user_version = 7');
    db.prepare("INSERT INTO datasets(id, name, format, created_at) VALUES (1, 'd', 'csv', 'now')").run();
    db.prepare("INSERT INTO images(id, dataset_id, rel_path, lat, lon) VALUES (1, 1, 'a.jpg', 10, 20)").run();
    db.prepare("INSERT INTO runs(id, kind, dataset_id, status, created_at) VALUES (1, 'import', 1, 'done', 'now')").run();
    db.prepare('INSERT INTO completions(run_id, image_id, sample, lat, lon, format_ok) VALUES (1, 1, 0, 11, 21, 1)').run();
    db.close();
    expect(hasPendingMigrations(file)).toBe(true);
    await migrateOffThread(file);
    expect(hasPendingMigrations(file)).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(check.prepare('SELECT truth_place FROM completions').pluck().get()).toBe(0);
    check.close();
    // Through the RPC: opened, counted in the read pool.
    const workbench = createWorkbench({ host: 'cli', userDataDir: path.join(dir, 'user'), log: () => undefined });
    try {
      const opened = await workbench.dispatcher.call('project.open', { path: file });
      expect(opened).toMatchObject({ result: { schemaVersion: latestSchemaVersion, counts: { images: 1, completions: 1 } } });
      expect(await workbench.dispatcher.call('project.check', {})).toMatchObject({ result: { ok: true } });
    } finally {
      workbench.dispose();
    }
    // A file that is no project is left to the open, which says why.
    fs.writeFileSync(path.join(dir, 'junk.georeason.sqlite'), 'not sqlite');
    expect(hasPendingMigrations(path.join(dir, 'junk.georeason.sqlite'))).toBe(false);
  });
});
