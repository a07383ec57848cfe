/**
 * ms-swift's command line changes between versions, and from 4.1 an argument it does
 * not know stops the run (`ValueError: remaining_argv: [...]`, swift/pipelines/base.py).
 * What differs, read from ms-swift's argument dataclasses:
 * - the tuner: `--train_type` through 3.x (swift/llm/argument/base_args/base_args.py
 *   @ v3.5.3); `--tuner_type` from 4.0 (swift/arguments/base_args/base_args.py @ v4.0.0
 *   keeps `train_type` as a deprecated alias; @ v4.1.0 it is gone).
 * - tuners are lora, full, longlora, adalora, llamapro, adapter, vera, boft, fourierft,
 *   reft, bone (+ plug-in tuners): there is no `freeze` (get_supported_tuners, both lines).
 * The version is asked of the environment the run uses (locally or over SSH), or set by
 * the user.
 */
import type { ExternalSettingsParsed } from '../../../shared/rpc/external-methods.js';
import { envPythonCommand } from './env-python.js';
import { run, type Target } from './target.js';

/** The newest line this workbench writes commands for (used when the version is unknown). */
export const NEWEST_SWIFT = '4.1';

export interface SwiftDialect {
  /** The version the command is written for (null: unknown, the newest syntax is used). */
  version: string | null;
  tunerFlag: 'train_type' | 'tuner_type';
}

/** Major and minor of a version such as 3.5.3, 4.1.0.dev0, 4.0.2rc1. */
export function versionParts(version: string): [number, number] | null {
  const m = /^\s*v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function swiftDialect(version: string | null): SwiftDialect {
  const parts = version ? versionParts(version) : null;
  return { version: parts ? version : null, tunerFlag: parts && parts[0] < 4 ? 'train_type' : 'tuner_type' };
}

const PY_VERSION = 'import importlib.metadata as m; print("ms-swift " + m.version("ms-swift"))';

/** A bash line that prints `ms-swift <version>` from the run's Python environment. */
export function swiftVersionCommand(s: ExternalSettingsParsed): string {
  return envPythonCommand(s, PY_VERSION);
}

/** Reads the version out of the probe's output (other lines, e.g. conda's, are ignored). */
export function parseSwiftVersion(output: string): string | null {
  const m = /^ms-swift (\S+)\s*$/m.exec(output);
  return m?.[1] && versionParts(m[1]) ? m[1] : null;
}

/** Asks the environment on the target which ms-swift is installed; throws with the reason when it cannot tell. */
export async function detectSwiftVersion(target: Target, s: ExternalSettingsParsed, env?: NodeJS.ProcessEnv): Promise<string> {
  let out: string;
  try {
    out = await run(target, swiftVersionCommand(s), 'asking the Python environment for ms-swift', { env, timeoutMs: 60_000 });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(/PackageNotFoundError|No package metadata/.test(msg) ? `ms-swift is not installed in that Python environment on ${target.label}` : msg, { cause: err });
  }
  const v = parseSwiftVersion(out);
  if (!v) throw new Error(`the Python environment on ${target.label} printed no ms-swift version: ${out.trim().slice(0, 200)}`);
  return v;
}
