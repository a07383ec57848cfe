/**
 * Label flags: strings in the API and CSV, a bitmask in the database. The bit values
 * are stored: append new flags, never renumber.
 */
export const LABEL_FLAGS = ['ocean', 'near_border', 'far_city', 'region_mismatch', 'disputed'] as const;
export type LabelFlag = (typeof LABEL_FLAGS)[number];

export const FLAG_BITS: Readonly<Record<LabelFlag, number>> = {
  ocean: 1,
  near_border: 2,
  far_city: 4,
  region_mismatch: 8,
  disputed: 16,
};

export function flagsToBits(flags: readonly LabelFlag[]): number {
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f];
  return bits;
}

export function bitsToFlags(bits: number): LabelFlag[] {
  return LABEL_FLAGS.filter((f) => (bits & FLAG_BITS[f]) !== 0);
}
