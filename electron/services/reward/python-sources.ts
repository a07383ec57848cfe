/**
 * The shipped Python of the reward plug-ins (resources/trainer/: the scorer and the
 * templates), read once, and the plug-ins rendered from it. In a packaged app
 * resourcesDir is the app.asar.unpacked copy (electron-builder.yml unpacks resources/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { exportPython, pythonTargets, renderVlmr1Wrapper, templateFiles, type PythonSources, type PythonTarget } from '../../../shared/reward/export-python.js';
import type { RewardSpecInput } from '../../../shared/reward/spec.js';
import { resourcesDir } from '../app-paths.js';

/** Where the scorer and templates are: resources/trainer/. */
export const trainerDir: string = path.join(resourcesDir, 'trainer');

/**
 * Reads the plug-ins' Python from `dir` (resources/trainer/ unless a test names another),
 * with LF line ends: a checkout with CRLF (git's autocrlf on Windows) still matches the
 * templates' marker lines, and the plug-ins are written the same on every platform.
 */
export function readPythonSources(dir: string = trainerDir): PythonSources {
  const read = (rel: string): string => fs.readFileSync(path.join(dir, rel), 'utf8').replace(/\r\n/g, '\n');
  const targets = Object.fromEntries(pythonTargets.map((t) => [t, read(templateFiles[t])])) as Record<PythonTarget, string>;
  return { scorer: read(templateFiles.scorer), batch: read(templateFiles.batch), targets, vlmr1Wrapper: read(templateFiles.vlmr1Wrapper) };
}

let cached: PythonSources | null = null;

/** The shipped sources, read on first use (they do not change while the app runs). */
export function pythonSources(): PythonSources {
  return (cached ??= readPythonSources());
}

/** The reward plug-in for `target` from the shipped sources. */
export function rewardPlugin(spec: RewardSpecInput, target: PythonTarget): string {
  return exportPython(spec, target, pythonSources());
}

/** The VLM-R1 wrapper script from the shipped template. */
export function vlmr1Wrapper(scriptPath: string, rewardModule: string): string {
  return renderVlmr1Wrapper(pythonSources().vlmr1Wrapper, scriptPath, rewardModule);
}
