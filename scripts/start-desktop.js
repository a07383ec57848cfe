// `npm start`: the desktop app. Electron's binary is not fetched at install (its
// install script is off in package.json so installs work offline); fetch it on the
// first desktop start, then launch the built app.
import { existsSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));
const pathFile = path.join(electronDir, 'path.txt');
if (!existsSync(pathFile)) {
  console.log('Fetching the Electron binary (first desktop start)...');
  const fetched = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { stdio: 'inherit' });
  if (fetched.status !== 0) {
    console.error('Could not fetch Electron. Without it, use the browser UI: npm run serve');
    process.exit(1);
  }
}
const electron = require('electron');
const child = spawn(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
