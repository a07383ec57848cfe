/**
 * Photo → the encoder's input: decoded with sharp (EXIF orientation honoured),
 * resized as the encoder's JSON says, then RGB planes (NCHW) of
 * (value × scale − mean) / std.
 */
import sharp from 'sharp';
import type { EncoderSpec } from './encoder-spec.js';

const FIT = { squash: 'fill', 'center-crop': 'cover', letterbox: 'contain' } as const;

/** Writes one photo into `out` at `offset` (3 × H × W floats). */
export async function loadPixels(file: string, spec: EncoderSpec, out: Float32Array, offset: number): Promise<void> {
  const [h, w] = spec.inputSize;
  const { data } = await sharp(file, { failOn: 'error' })
    .rotate()
    .removeAlpha()
    .resize(w, h, { fit: FIT[spec.resize], position: 'centre', background: { r: 0, g: 0, b: 0 } })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = h * w;
  for (let c = 0; c < 3; c++) {
    const k = spec.scale / spec.std[c]!;
    const b = spec.mean[c]! / spec.std[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = data[i * 3 + c]! * k - b;
  }
}
