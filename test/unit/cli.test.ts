import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli.js';
import { repoRoot } from '../helpers/server-process.js';
import { captureIo } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/temp.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const capture = (): ReturnType<typeof captureIo> => captureIo(dir);

describe('CLI', () => {
  it('lists its commands with --help', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const name of ['init', 'info', 'serve']) expect(io.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err).toContain("unknown command 'frobnicate'");
  });

  it('creates a project with init and describes it with info --json', async () => {
    const file = path.join(dir, 'cli.georeason.sqlite');
    const io = capture();
    expect(await runCli(['init', '--project', file], io)).toBe(0);
    expect(fs.existsSync(file)).toBe(true);
    const info = capture();
    expect(await runCli(['info', '--project', file, '--json'], info)).toBe(0);
    expect(JSON.parse(info.out)).toEqual({ datasets: [] });
  });

  it('explains a missing option and a non-project file, exiting non-zero', async () => {
    const io = capture();
    expect(await runCli(['info'], io)).toBe(2);
    expect(io.err).toContain('--project <file> is required');
    const bogus = path.join(dir, 'x.georeason.sqlite');
    fs.writeFileSync(bogus, 'nope');
    const io2 = capture();
    expect(await runCli(['info', '--project', bogus], io2)).toBe(1);
    expect(io2.err).toContain('not a GeoReason project');
  });

  it('runs as `npx georeason` from the checkout', () => {
    const bin = path.join(repoRoot, 'bin', 'georeason.js');
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: georeason <command>');
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.georeason).toBe('bin/georeason.js');
    const failed = spawnSync(process.execPath, [bin, 'info', '--project', path.join(dir, 'missing.georeason.sqlite')], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('no such file');
  });
});
