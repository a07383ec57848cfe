#!/usr/bin/env node
/**
 * `npm run dist [-- electron-builder flags]`: builds the installers for this OS with
 * electron-builder, then puts better-sqlite3 back as it was.
 *
 * electron-builder rebuilds native modules for Electron's ABI (npmRebuild) in this
 * project's own node_modules before it copies them into the app. Left that way, the
 * Node build that the tests, the CLI and the server host load would be gone. So,
 * whatever electron-builder's outcome, `npm rebuild better-sqlite3` runs afterwards
 * and a plain Node process must then open an in-memory database, or this fails loudly.
 * (onnxruntime-node and sharp are Node-API prebuilt binaries: one build serves both.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const windows = process.platform === 'win32';

function run(command, args, shell = windows) {
  console.log(`> ${command} ${args.join(' ')}`);
  // shell on Windows: npm and npx are .cmd files there.
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (r.error) console.error(r.error.message);
  return r.status ?? 1;
}

const built = run('npx', ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
const restored = run('npm', ['rebuild', 'better-sqlite3']);
const loads = run(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close(); console.log('better-sqlite3 loads in Node ' + process.version)"], false);
if (restored !== 0 || loads !== 0) {
  console.error('better-sqlite3 is not built for Node any more: run `npm rebuild better-sqlite3` before `npm test`.');
  process.exit(1);
}
process.exit(built);
