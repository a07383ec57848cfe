/**
 * An image encoder is an ONNX vision model (input NCHW float32, output one vector per
 * image) with a JSON beside it saying how to feed it: input size, pixel scale, mean,
 * std and resize mode. The workbench ships one (colour-texture-v1, see
 * scripts/build-default-encoder.py); CLIP, GeoCLIP or DINOv2 exports drop in the same way.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

export type ResizeMode = 'squash' | 'center-crop' | 'letterbox';

export interface EncoderSpec {
  name: string;
  description: string;
  /** Absolute path of the .onnx file. */
  modelPath: string;
  /** Absolute path of the JSON that describes it. */
  specPath: string;
  input: string | null;
  output: string | null;
  /** [height, width]. */
  inputSize: [number, number];
  /** Multiplies raw 0-255 values before mean/std (1/255 for CLIP-style models). */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  resize: ResizeMode;
  dims: number | null;
}

export const DEFAULT_ENCODER = 'colour-texture-v1';

const RESIZE: readonly ResizeMode[] = ['squash', 'center-crop', 'letterbox'];

function triple(value: unknown, what: string, file: string): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RpcError(ErrorCode.BadInput, `${file}: "${what}" must be three numbers (R, G, B)`);
  }
  return [value[0] as number, value[1] as number, value[2] as number];
}

/** Reads and checks an encoder's JSON; the .onnx is `model` relative to it (default: same name). */
export function readEncoderSpec(specPath: string): EncoderSpec {
  const file = path.resolve(specPath);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RpcError(ErrorCode.BadInput, `${file}: cannot read the encoder description (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RpcError(ErrorCode.BadInput, `${file}: not a JSON object`);
  const o = raw as Record<string, unknown>;
  const size = o.inputSize;
  const inputSize: [number, number] | null =
    typeof size === 'number' && Number.isInteger(size) && size > 0
      ? [size, size]
      : Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 4096)
        ? [size[0] as number, size[1] as number]
        : null;
  if (!inputSize) throw new RpcError(ErrorCode.BadInput, `${file}: "inputSize" must be a positive integer or [height, width]`);
  const resize = o.resize ?? 'squash';
  if (typeof resize !== 'string' || !RESIZE.includes(resize as ResizeMode)) {
    throw new RpcError(ErrorCode.BadInput, `${file}: "resize" must be one of ${RESIZE.join(', ')}`);
  }
  const std = triple(o.std ?? [1, 1, 1], 'std', file);
  if (std.some((s) => s === 0)) throw new RpcError(ErrorCode.BadInput, `${file}: "std" must not contain 0`);
  const scale = o.scale ?? 1 / 255;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) throw new RpcError(ErrorCode.BadInput, `${file}: "scale" must be a positive number`);
  const base = path.basename(file, '.json');
  const modelRel = typeof o.model === 'string' && o.model.length > 0 ? o.model : `${base}.onnx`;
  const modelPath = path.resolve(path.dirname(file), modelRel);
  if (!fs.existsSync(modelPath)) throw new RpcError(ErrorCode.NotFound, `${file}: the model file ${modelPath} is missing`);
  return {
    name: typeof o.name === 'string' && o.name.length > 0 ? o.name : base,
    description: typeof o.description === 'string' ? o.description : '',
    modelPath,
    specPath: file,
    input: typeof o.input === 'string' ? o.input : null,
    output: typeof o.output === 'string' ? o.output : null,
    inputSize,
    scale,
    mean: triple(o.mean ?? [0, 0, 0], 'mean', file),
    std,
    resize: resize as ResizeMode,
    dims: typeof o.dims === 'number' && Number.isInteger(o.dims) ? o.dims : null,
  };
}

/** Every encoder described by a JSON in these folders (later folders win on a name clash). */
export function listEncoders(dirs: readonly string[]): EncoderSpec[] {
  const byName = new Map<string, EncoderSpec>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith('.json')) continue;
      try {
        const spec = readEncoderSpec(path.join(dir, f));
        byName.set(spec.name, spec);
      } catch {
        // A JSON that is not an encoder description (or lacks its model) is not listed.
      }
    }
  }
  return [...byName.values()];
}

/** Cache key of an encoder: its name and a hash of the model file and the feeding settings. */
export function encoderKey(spec: EncoderSpec): string {
  const h = createHash('sha256');
  h.update(fs.readFileSync(spec.modelPath));
  h.update(JSON.stringify([spec.inputSize, spec.scale, spec.mean, spec.std, spec.resize, spec.input, spec.output]));
  return `${spec.name}@${h.digest('hex').slice(0, 12)}`;
}
