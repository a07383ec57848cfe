/**
 * Starts a worker thread from a module beside the caller. From compiled JS the
 * worker is the .js file; from TypeScript sources (vitest, tsx) it is the .ts file:
 * Node ignores `--import tsx` in a worker's execArgv, so a two-line bootstrap
 * registers tsx's loader inside the worker first.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { unpackedPath } from './app-paths.js';

/** `callerUrl`: the caller's import.meta.url; `name`: the module's base name, no extension. */
export function startModuleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (callerUrl.endsWith('.ts')) {
    const tsxPackage = pathToFileURL(createRequire(callerUrl).resolve('tsx/package.json'));
    const api = new URL('dist/esm/api/index.mjs', tsxPackage).href;
    const entry = new URL(`./${name}.ts`, callerUrl).href;
    const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
    return new Worker(boot, { eval: true, workerData, execArgv: [] });
  }
  // execArgv: [] so the parent's flags (e.g. --input-type, --inspect) do not break the worker.
  // A packaged app runs the worker from its unpacked copy (see electron-builder.yml).
  const entry = pathToFileURL(unpackedPath(fileURLToPath(new URL(`./${name}.js`, callerUrl))));
  return new Worker(entry, { workerData, execArgv: [] });
}
