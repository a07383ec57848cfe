/**
 * The Python the app ships and writes passes Python's own checks: every .py file under
 * resources/trainer (the scorer, the cor-policy trainer, the plug-in templates with their
 * checker preludes) and every rendered plug-in (each target × preset and a custom spec,
 * and the VLM-R1 wrapper) compiles (py_compile) and has no pyflakes finding (undefined
 * or unused names, shadowed imports). Also: the template rendering refuses broken
 * templates with the file named.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readPythonSources, trainerDir, vlmr1Wrapper } from '../../electron/services/reward/python-sources.js';
import { exportPython, pythonFileName, pythonTargets } from '../../shared/reward/export-python.js';
import { presetNames, presets } from '../../shared/reward/presets.js';
import { parseRewardSpec } from '../../shared/reward/spec.js';
import { tempDir } from '../helpers/temp.js';

const exec = promisify(execFile);
/** Debian's interpreter, with python3-pyflakes from scripts/setup.sh. */
const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON = fs.existsSync(PYTHON);

function pythonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py') && !e.parentPath.includes('__pycache__'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** py_compile (bytecode into a temp folder, not beside the sources) and pyflakes; the findings as text. */
async function check(files: string[], pycDir: string): Promise<{ compile: string; flakes: string }> {
  const compile = await exec(PYTHON, [
    '-I',
    '-c',
    'import os, py_compile, sys\nfor i, f in enumerate(sys.argv[2:]):\n    try:\n        py_compile.compile(f, cfile=os.path.join(sys.argv[1], "%d.pyc" % i), doraise=True)\n    except py_compile.PyCompileError as e:\n        print(e.msg)',
    pycDir,
    ...files,
  ]);
  let flakes = '';
  try {
    await exec(PYTHON, ['-I', '-m', 'pyflakes', ...files]);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    flakes = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    if (/No module named pyflakes/.test(flakes)) flakes = `pyflakes is missing: install Debian's python3-pyflakes (scripts/setup.sh does) — ${flakes}`;
  }
  return { compile: compile.stdout.trim(), flakes };
}

const tmp = tempDir('georeason-python-files-');
afterAll(() => tmp.cleanup());

describe.skipIf(!HAVE_PYTHON)('shipped and rendered Python passes py_compile and pyflakes (/usr/bin/python3)', () => {
  it('every .py file under resources/trainer', async () => {
    const files = pythonFiles(trainerDir);
    expect(files.map((f) => path.relative(trainerDir, f))).toEqual(
      expect.arrayContaining(['georeason_reward.py', 'templates/reward_batch.py', 'templates/reward_trl.py', 'templates/vlmr1_wrapper.py']),
    );
    const pyc = path.join(tmp.dir, 'pyc-shipped');
    fs.mkdirSync(pyc);
    expect(await check(files, pyc)).toEqual({ compile: '', flakes: '' });
  });

  it('every rendered plug-in (4 targets × the presets and a custom spec) and the VLM-R1 wrapper', async () => {
    const sources = readPythonSources();
    const custom = parseRewardSpec({
      name: 'custom',
      components: [
        { kind: 'distance', knots_km: [0, 25, 2500], values: [1, 0.5, 0], weight: 0.5 },
        { kind: 'format', weight: 0.2 },
        { kind: 'label_match', weight: 0.3 },
        { kind: 'distance', knots_km: [0, 100], values: [1, 0], weight: 0.1 },
      ],
      combine: 'weighted_sum',
    });
    const specs = [...presetNames.map((n) => [n, presets[n]] as const), ['custom', custom] as const];
    const files: string[] = [];
    for (const target of pythonTargets) {
      for (const [name, spec] of specs) {
        const dir = path.join(tmp.dir, `${target}-${name}`);
        fs.mkdirSync(dir);
        const file = path.join(dir, pythonFileName(target));
        fs.writeFileSync(file, exportPython(spec, target, sources));
        files.push(file);
      }
    }
    const wrapper = path.join(tmp.dir, 'georeason_grpo_jsonl.py');
    fs.writeFileSync(wrapper, vlmr1Wrapper('/home/me/VLM-R1/src/open-r1-multimodal/src/open_r1/grpo_jsonl.py', 'georeason_reward_vlmr1'));
    files.push(wrapper);
    const pyc = path.join(tmp.dir, 'pyc-rendered');
    fs.mkdirSync(pyc);
    expect(await check(files, pyc)).toEqual({ compile: '', flakes: '' });
  });
});

describe('template rendering', () => {
  const sources = readPythonSources();
  const spec = presets['geo-r-code'];

  it('writes each per-component block once per component, with its name', () => {
    const py = exportPython(spec, 'trl', sources);
    expect(py).toContain('def georeason_distance(completions, **kwargs):');
    expect(py).toContain('def georeason_format(completions, **kwargs):');
    expect(py).toMatch(/REWARD_FUNCS = \[\n {4}reward_func,\n {4}georeason_distance,\n {4}georeason_format,\n\]/);
    expect(py).toMatch(/REWARD_WEIGHTS = \[\n {4}1\.0,\n {4}0\.0,\n {4}0\.0,\n\]/);
  });

  it('refuses a template without its prelude end marker, or with COMPONENT outside a block, naming the file', () => {
    const noMarker = { ...sources, targets: { ...sources.targets, trl: 'def reward_func(completions, **kwargs):\n    return []\n' } };
    expect(() => exportPython(spec, 'trl', noMarker)).toThrow(/templates\/reward_trl\.py: no "# ---- end of checker prelude ----" line/);
    const stray = { ...sources, targets: { ...sources.targets, module: '# ---- end of checker prelude ----\nx = georeason_COMPONENT\n' } };
    expect(() => exportPython(spec, 'module', stray)).toThrow(/templates\/reward_module\.py: COMPONENT outside/);
  });

  it('reads a checkout with CRLF line ends (autocrlf) as the same sources', () => {
    const dir = path.join(tmp.dir, 'crlf');
    for (const file of pythonFiles(trainerDir)) {
      const to = path.join(dir, path.relative(trainerDir, file));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.writeFileSync(to, fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    }
    expect(readPythonSources(dir)).toEqual(sources);
    expect(exportPython(spec, 'swift', readPythonSources(dir))).toBe(exportPython(spec, 'swift', sources));
  });

  it('puts the script path into the VLM-R1 wrapper as a Python string', () => {
    const w = vlmr1Wrapper('/runs/d\u00e9j\u00e0 "vu"/grpo_jsonl.py', 'georeason_reward_vlmr1');
    expect(w).toContain('SCRIPT = "/runs/d\\u00e9j\\u00e0 \\"vu\\"/grpo_jsonl.py"\n');
    expect(w).toContain('from georeason_reward_vlmr1 import reward_funcs_registry as georeason_registry');
    expect(w).not.toContain('filled in');
  });
});
