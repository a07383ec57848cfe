/**
 * Where the app's own files are. The same code runs from TypeScript sources (tests,
 * tsx), from `dist/` (server host, CLI) and from inside a packaged app, so the root is
 * found by walking up to our package.json rather than by a fixed relative path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const packageName = 'georeason-workbench';

function findAppRoot(start: string): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
        if (pkg.name === packageName) return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${packageName} package root above ${start}`);
    dir = parent;
  }
}

export const appRoot: string = findAppRoot(path.dirname(fileURLToPath(import.meta.url)));

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export const appPackage: PackageJson = JSON.parse(
  fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8'),
) as PackageJson;

export const appVersion: string = appPackage.version;

/** The version of an installed dependency, as its own package.json says. */
export function installedVersion(name: string): string {
  try {
    const pkg = createRequire(import.meta.url)(`${name}/package.json`) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/**
 * The same path outside Electron's asar archive. A packaged app unpacks what native
 * code, Python and worker threads must read as real files (electron-builder.yml
 * asarUnpack) into `app.asar.unpacked` beside the archive. Other paths pass unchanged.
 */
export function unpackedPath(p: string): string {
  return p.replace(/\.asar(?=[\\/]|$)/, '.asar.unpacked');
}

/**
 * Files shipped with the app: geodata, demo data, the Python trainer, models. In a
 * packaged app, their unpacked copy: sharp, onnxruntime and Python cannot read the asar.
 */
export const resourcesDir: string = path.join(unpackedPath(appRoot), 'resources');

/** The built renderer served by the Electron and server hosts. */
export const rendererDir: string = path.join(appRoot, 'dist', 'renderer');

/** Per-user settings (recent projects, host preferences); overridable for tests. */
export function defaultUserDataDir(): string {
  if (process.env.GEOREASON_DATA_DIR) return path.resolve(process.env.GEOREASON_DATA_DIR);
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'georeason-workbench');
}

/** Where new projects go unless a person picks another folder. */
export function defaultProjectDir(): string {
  return path.join(os.homedir(), 'GeoReason');
}
