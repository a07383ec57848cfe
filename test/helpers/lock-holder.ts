/**
 * Another process holding a project's write lock, as a CLI import does for its whole
 * run: it opens the file, runs BEGIN IMMEDIATE and keeps the transaction open until
 * it is told to commit (or is killed, which releases the lock too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './server-process.js';

export interface LockHolder {
  child: ChildProcess;
  /** Writes one row to meta in the held transaction, commits and exits. */
  release(): Promise<void>;
}

const script = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('lock-holder', 'was here')").run();
process.stdout.write('locked\\n');
process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
`;

export async function holdWriteLock(projectPath: string): Promise<LockHolder> {
  const child = spawn(process.execPath, ['-e', script, projectPath], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited early (${code})`)));
  });
  return {
    child,
    release: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin?.write('go\n');
      }),
  };
}
