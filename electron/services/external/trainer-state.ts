/**
 * Checkpoints a transformers Trainer writes (output_dir/checkpoint-<step>) and the
 * numbers their trainer_state.json keeps: `log_history`, one dict per logging step
 * (the same dicts the log printed, with `step` and `epoch`), `global_step`,
 * `max_steps`, `best_model_checkpoint`. Read for runs whose log was lost or that ran
 * elsewhere, and to list a run's checkpoints as artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { metricsOf } from './trl-log.js';
import type { PyValue } from './python-literal.js';

export interface TrainerState {
  globalStep: number | null;
  maxSteps: number | null;
  bestCheckpoint: string | null;
  /** One entry per logged dict: its step and its metrics (names normalised). */
  points: { step: number; values: Record<string, number | null> }[];
}

export interface CheckpointInfo {
  path: string;
  step: number;
  /** Present when the folder holds trainer_state.json. */
  state: TrainerState | null;
  /** The folder holds a model others can load (config.json + weights or an adapter). */
  loadable: boolean;
  /** A vision-language model (its config names a vision part). */
  vlm: boolean;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads a trainer_state.json text (NaN/Infinity allowed, as Python's json writes them). */
export function parseTrainerState(text: string): TrainerState {
  // Python's json.dump writes NaN / Infinity / -Infinity bare; JSON.parse does not take them.
  const safe = text.replace(/(?<=[:,[]\s*)-?(?:NaN|Infinity)(?=\s*[,\]}])/g, 'null');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(safe) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`not a trainer_state.json: ${(err as Error).message}`, { cause: err });
  }
  const history = Array.isArray(raw.log_history) ? (raw.log_history as unknown[]) : [];
  const points: TrainerState['points'] = [];
  history.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null) return;
    // null here is a NaN/Infinity the writer could not put in JSON: a metric without a value.
    const dict = Object.fromEntries(Object.entries(entry as Record<string, PyValue>).map(([k, v]) => [k, v === null ? Number.NaN : v]));
    const { values, step } = metricsOf(dict);
    if (Object.keys(values).length === 0) return;
    points.push({ step: step ?? i + 1, values });
  });
  return {
    globalStep: num(raw.global_step),
    maxSteps: num(raw.max_steps),
    bestCheckpoint: typeof raw.best_model_checkpoint === 'string' ? raw.best_model_checkpoint : null,
    points,
  };
}

export function readTrainerState(file: string): TrainerState {
  return parseTrainerState(fs.readFileSync(file, 'utf8'));
}

/** Whether a model config (config.json text) describes a vision-language model. */
export function isVlmConfig(configText: string): boolean {
  try {
    const c = JSON.parse(configText) as Record<string, unknown>;
    if (c.vision_config !== undefined || c.vision_tower !== undefined) return true;
    const arch = Array.isArray(c.architectures) ? c.architectures.join(' ') : '';
    return /VL|Vision|Llava|ImageText|Idefics|InternVL|Qwen2_5_VL|Qwen2VL/i.test(`${arch} ${String(c.model_type ?? '')}`);
  } catch {
    return false;
  }
}

/** The checkpoint-<step> folders of an output dir (oldest first), with what they hold. */
export function listCheckpoints(outputDir: string): CheckpointInfo[] {
  if (!fs.existsSync(outputDir)) return [];
  const found: CheckpointInfo[] = [];
  for (const e of fs.readdirSync(outputDir, { withFileTypes: true })) {
    const m = /^checkpoint-(\d+)$/.exec(e.name);
    if (!e.isDirectory() || !m) continue;
    const dir = path.join(outputDir, e.name);
    const files = new Set(fs.readdirSync(dir));
    let state: TrainerState | null = null;
    if (files.has('trainer_state.json')) {
      try {
        state = readTrainerState(path.join(dir, 'trainer_state.json'));
      } catch {
        state = null;
      }
    }
    const weights = [...files].some((f) => /\.(safetensors|bin)$/.test(f));
    const configText = files.has('config.json') ? fs.readFileSync(path.join(dir, 'config.json'), 'utf8') : null;
    found.push({
      path: dir,
      step: Number(m[1]),
      state,
      loadable: weights && (configText !== null || files.has('adapter_config.json')),
      vlm: configText !== null && isVlmConfig(configText),
    });
  }
  return found.sort((a, b) => a.step - b.step);
}
