/**
 * The project store: one SQLite file in WAL mode, migrated at open. Creating,
 * opening and refusing files all happen here; nothing else opens the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { appVersion } from '../app-paths.js';
import { latestSchemaVersion, migrations } from './migrations.js';
import { applicationId, cacheDirFor, identityFrom, projectName, readProjectIdentity } from './project-file.js';

export class ProjectStore {
  readonly db: Database.Database;
  readonly path: string;
  readonly cacheDir: string;
  private readonly closeHooks: (() => void)[] = [];

  private constructor(db: Database.Database, filePath: string) {
    this.db = db;
    this.path = filePath;
    this.cacheDir = cacheDirFor(filePath);
  }

  get name(): string {
    return projectName(this.path);
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Creates a new project; refuses to overwrite any existing file. */
  static create(filePath: string): ProjectStore {
    const absolute = path.resolve(filePath);
    if (fs.existsSync(absolute)) {
      throw new RpcError(ErrorCode.AlreadyExists, `${absolute}: a file already exists there; open it instead`);
    }
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    const db = new Database(absolute);
    try {
      db.pragma(`application_id = ${applicationId}`);
      configure(db);
      applyMigrations(db, 0);
      const now = new Date().toISOString();
      const setMeta = db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)');
      db.transaction(() => {
        setMeta.run('created_at', now);
        setMeta.run('created_by', `GeoReason Workbench ${appVersion}`);
      })();
      neverWait(db);
    } catch (err) {
      db.close();
      fs.rmSync(absolute, { force: true });
      throw err;
    }
    const store = new ProjectStore(db, absolute);
    fs.mkdirSync(store.cacheDir, { recursive: true });
    return store;
  }

  /**
   * Opens an existing project. A file that is not a project, or one written by a
   * newer version, is refused before any write: the identity is read read-only.
   */
  static open(filePath: string): ProjectStore {
    const absolute = path.resolve(filePath);
    refuseNewer(absolute, readProjectIdentity(absolute).schemaVersion);
    const db = new Database(absolute, { fileMustExist: true });
    try {
      // Again through the connection: a WAL left by a crash may hold a newer page 1
      // than the file header read above.
      const { schemaVersion } = identityFrom(
        absolute,
        db.pragma('application_id', { simple: true }) as number,
        db.pragma('user_version', { simple: true }) as number,
      );
      refuseNewer(absolute, schemaVersion);
      configure(db);
      applyMigrations(db, schemaVersion);
      neverWait(db);
    } catch (err) {
      db.close();
      throw err;
    }
    const store = new ProjectStore(db, absolute);
    fs.mkdirSync(store.cacheDir, { recursive: true });
    return store;
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Runs before the connection closes (the read pool and write queue of this project end with it). */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  close(): void {
    for (const hook of this.closeHooks.splice(0)) hook();
    if (this.db.open) this.db.close();
  }
}

function refuseNewer(file: string, schemaVersion: number): void {
  if (schemaVersion > latestSchemaVersion) {
    throw new RpcError(
      ErrorCode.NewerVersion,
      `${file}: written by a newer GeoReason Workbench (schema ${schemaVersion}; this version reads up to ${latestSchemaVersion}). Update the app to open it; the file was left untouched.`,
    );
  }
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/**
 * Once open, the main connection never waits for the write lock: a wait would freeze
 * the thread that serves every window. A write that finds the lock held fails at once
 * (SQLITE_BUSY); reviews go through a WriteQueue that retries them. Opening still
 * waits (above): migrations must run before anything else.
 */
function neverWait(db: Database.Database): void {
  db.pragma('busy_timeout = 0');
}

/** Applies every migration above `from`, each in its own transaction with its version bump. */
export function applyMigrations(db: Database.Database, from: number): number[] {
  const applied: number[] = [];
  const pending = [...migrations].filter((m) => m.version > from).sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
