/**
 * What can be checked of packaging without an Electron download: the builder config
 * names files that exist, a target per platform and an icon each, native modules and
 * everything the import worker thread loads are unpacked from the asar, `npm run dist`
 * puts better-sqlite3 back for Node afterwards, and the install stays offline-safe.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackedPath } from '../../electron/services/app-paths.js';
import { dataAttributions } from '../../electron/services/workbench.js';
import { repoRoot } from '../helpers/server-process.js';

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar?: boolean;
  asarUnpack: string[];
  npmRebuild?: boolean;
  linux: { target: string[]; icon: string; category: string };
  mac: { target: string | string[]; icon: string };
  win: { target: string | string[]; icon: string };
}

// js-yaml comes with electron-builder; required, not imported, as it ships no types.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const config = yaml.load(fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  type: string;
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
  dependencies: Record<string, string>;
};

/** electron-builder's globs, enough of them: `**` any depth, `*` within a segment. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
const unpacked = (file: string): boolean => config.asarUnpack.some((g) => globToRegExp(g).test(file));
const asList = (t: string | string[]): string[] => (Array.isArray(t) ? t : [t]);

function pngSize(file: string): { width: number; height: number } {
  const buf = fs.readFileSync(file);
  expect(buf.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/**
 * The import worker's module graph from its TypeScript sources: every relative import
 * (as the dist/ .js path the packaged app holds) and every package it imports.
 */
function workerGraph(entries: string[] = ['electron/services/datasets/import-worker.ts']): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (tsFile: string): void => {
    const rel = path.relative(repoRoot, tsFile).split(path.sep).join('/');
    const distFile = `dist/${rel.replace(/\.ts$/, '.js')}`;
    if (files.has(distFile)) return;
    files.add(distFile);
    const text = fs.readFileSync(tsFile, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1] as string;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(tsFile), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  };
  for (const entry of entries) visit(path.join(repoRoot, ...entry.split('/')));
  return { files: [...files].sort(), packages: [...packages].sort() };
}

/** A package and the packages it needs at run time, transitively (install-time tools left out). */
function runtimeClosure(name: string, seen = new Set<string>()): Set<string> {
  const installOnly = new Set(['prebuild-install', 'node-gyp', 'node-addon-api']);
  if (seen.has(name) || installOnly.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) runtimeClosure(dep, seen);
  return seen;
}

describe('packaging and install configuration', () => {
  it("passes electron-builder's own schema check", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // And the check does bite: a misspelt key is refused.
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targets: ['AppImage'] } }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('builds AppImage and deb on Linux, dmg on macOS, an NSIS installer on Windows', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(asList(config.mac.target)).toContain('dmg');
    expect(asList(config.win.target)).toContain('nsis');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.productName).toBe('GeoReason Workbench');
  });

  it('points each platform at an icon that exists and is big enough', () => {
    for (const icon of [config.mac.icon, config.win.icon]) {
      const size = pngSize(path.join(repoRoot, icon));
      expect(size.width).toBeGreaterThanOrEqual(512); // icns and ico are made from it
      expect(size.height).toBe(size.width);
    }
    const linuxIcons = path.join(repoRoot, config.linux.icon);
    const sizes = fs.readdirSync(linuxIcons).filter((f) => /^\d+x\d+\.png$/.test(f));
    expect(sizes).toEqual(expect.arrayContaining(['16x16.png', '48x48.png', '256x256.png', '512x512.png']));
    for (const f of sizes) {
      const n = Number(f.split('x')[0]);
      expect(pngSize(path.join(linuxIcons, f))).toEqual({ width: n, height: n });
    }
    expect(fs.existsSync(path.join(repoRoot, config.directories.buildResources))).toBe(true);
    expect(fs.existsSync(path.join(repoRoot, 'scripts', 'make-icons.mjs'))).toBe(true);
  });

  it('ships the built app and every resources folder', () => {
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/**', 'resources/**']));
    for (const dir of ['geodata', 'trainer', 'demo', 'models']) {
      expect(fs.existsSync(path.join(repoRoot, 'resources', dir)), dir).toBe(true);
    }
    expect(fs.existsSync(path.join(repoRoot, 'resources', 'demo', 'im2gps3k.csv'))).toBe(true);
    expect(fs.existsSync(path.join(repoRoot, 'resources', 'trainer', 'cor_policy.py'))).toBe(true);
  });

  it('unpacks native modules and the resources native code reads from the asar', () => {
    expect(config.asar).not.toBe(false);
    for (const mod of ['better-sqlite3', 'onnxruntime-node', 'sharp', '@img']) {
      expect(config.asarUnpack, mod).toContain(`node_modules/${mod}/**`);
    }
    for (const file of ['resources/trainer/cor_policy.py', 'resources/models/colour-texture-v1.onnx', 'resources/geodata/polygons.bin', 'resources/demo/im2gps3k.csv']) {
      expect(unpacked(file), file).toBe(true);
    }
    // Every native binary found under node_modules belongs to an unpacked package.
    const natives = ['better-sqlite3/build/Release/better_sqlite3.node'];
    for (const n of natives) expect(unpacked(`node_modules/${n}`), n).toBe(true);
  });

  it('ships and unpacks every Python file under resources/trainer (the trainer, the reward scorer, the plug-in templates)', () => {
    const shipped = (file: string): boolean =>
      config.files.some((g) => !g.startsWith('!') && globToRegExp(g).test(file)) && !config.files.some((g) => g.startsWith('!') && globToRegExp(g.slice(1)).test(file));
    const py = fs
      .readdirSync(path.join(repoRoot, 'resources', 'trainer'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.py') && !f.includes('__pycache__'))
      .map((f) => `resources/trainer/${f.split(path.sep).join('/')}`);
    expect(py).toEqual(expect.arrayContaining(['resources/trainer/georeason_reward.py', 'resources/trainer/templates/reward_swift.py', 'resources/trainer/templates/vlmr1_wrapper.py']));
    for (const file of py) {
      expect(shipped(file), `${file} shipped`).toBe(true);
      expect(unpacked(file), `${file} unpacked`).toBe(true);
    }
  });

  it('unpacks the import worker thread with everything it imports', () => {
    const graph = workerGraph();
    expect(graph.files).toContain('dist/electron/services/datasets/import-worker.js');
    expect(graph.files.length).toBeGreaterThan(5);
    const missing = graph.files.filter((f) => !unpacked(f));
    expect(missing, 'worker files left inside the asar').toEqual([]);
    // app-paths.ts finds the app root by its package.json: the worker needs the unpacked one.
    expect(unpacked('package.json')).toBe(true);
    expect(graph.packages).toContain('better-sqlite3');
    const needed = new Set<string>();
    for (const p of graph.packages) runtimeClosure(p, needed);
    const packed = [...needed].filter((p) => !unpacked(`node_modules/${p}/package.json`));
    expect(packed, 'packages the worker loads but the asar keeps').toEqual([]);
  });

  it('unpacks the read pool thread and the query module it imports, with everything they import', () => {
    // The worker imports the query module by URL (rpc/reads.ts), so both are roots.
    // The migration thread (store/migrate-worker.ts) is started the same way.
    const graph = workerGraph(['electron/services/store/read-worker.ts', 'electron/services/rpc/read-queries.ts', 'electron/services/store/migrate-worker.ts']);
    expect(graph.files).toContain('dist/electron/services/store/read-worker.js');
    expect(graph.files).toContain('dist/electron/services/store/migrate-worker.js');
    expect(graph.files).toContain('dist/electron/services/evaluate/evaluate-run.js');
    const missing = graph.files.filter((f) => !unpacked(f));
    expect(missing, 'read worker files left inside the asar').toEqual([]);
    const needed = new Set<string>();
    for (const p of graph.packages) runtimeClosure(p, needed);
    const packed = [...needed].filter((p) => !unpacked(`node_modules/${p}/package.json`));
    expect(packed, 'packages the read worker loads but the asar keeps').toEqual([]);
  });

  it('maps packaged paths to their unpacked copies, and leaves others alone', () => {
    expect(unpackedPath('/opt/GeoReason/resources/app.asar/dist/electron/services/datasets/import-worker.js')).toBe(
      '/opt/GeoReason/resources/app.asar.unpacked/dist/electron/services/datasets/import-worker.js',
    );
    expect(unpackedPath('C:\\GeoReason\\resources\\app.asar\\resources')).toBe('C:\\GeoReason\\resources\\app.asar.unpacked\\resources');
    expect(unpackedPath('/opt/GeoReason/resources/app.asar')).toBe('/opt/GeoReason/resources/app.asar.unpacked');
    expect(unpackedPath('/opt/GeoReason/resources/app.asar.unpacked/x')).toBe('/opt/GeoReason/resources/app.asar.unpacked/x');
    expect(unpackedPath('/home/me/data.asarchive/x.csv')).toBe('/home/me/data.asarchive/x.csv');
    expect(unpackedPath(repoRoot)).toBe(repoRoot);
  });

  it('rebuilds better-sqlite3 for Electron when packaging, then back for Node', () => {
    expect(config.npmRebuild).toBe(true);
    expect(pkg.scripts.dist).toMatch(/npm run build && node scripts\/dist\.mjs/);
    const script = fs.readFileSync(path.join(repoRoot, 'scripts', 'dist.mjs'), 'utf8');
    const builder = script.indexOf("'electron-builder'");
    const rebuild = script.indexOf("['rebuild', 'better-sqlite3']");
    expect(builder).toBeGreaterThan(-1);
    // The rebuild runs after electron-builder, whatever its exit status, and is checked.
    expect(rebuild).toBeGreaterThan(builder);
    expect(script).toContain("new (require('better-sqlite3'))(':memory:')");
    expect(script).toContain('process.exit(built)');
  });

  it('points main at the built Electron host, as an ES module', () => {
    expect(pkg.main).toBe('dist/electron/app.js');
    expect(pkg.type).toBe('module');
    expect(fs.existsSync(path.join(repoRoot, 'electron', 'app.ts'))).toBe(true);
    expect(fs.existsSync(path.join(repoRoot, 'electron', 'preload.cts'))).toBe(true);
  });

  it('lists data attributions for About', () => {
    const data = dataAttributions.map((a) => a.data).join('\n');
    for (const what of ['IM2GPS3K', 'Natural Earth', 'GeoNames']) expect(data + dataAttributions.map((a) => a.source).join('\n')).toContain(what);
    for (const a of dataAttributions) expect(a.license.length).toBeGreaterThan(0);
  });

  it('keeps binary downloads out of npm install', () => {
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    expect(pkg.allowScripts['better-sqlite3']).toBe(true);
  });

  it('has CI run exactly the test command', () => {
    const ci = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
    expect(pkg.scripts.test).toContain('npm run lint');
    expect(pkg.scripts.lint).toContain('eslint');
    expect(pkg.scripts.lint).toContain('svelte-check');
  });
});
