import { describe, expect, it } from 'vitest';
import { defaultTrainDataset } from '../../renderer/src/lib/train-defaults.js';

describe('the Train form’s default dataset', () => {
  const benchmark = { id: 1, photosPresent: 0 }; // coordinates only, like the demo's IM2GPS3K
  const samples = { id: 2, photosPresent: 5 };
  const more = { id: 3, photosPresent: 900 };

  it('skips a dataset without photos, even when it is the one open in Browse', () => {
    expect(defaultTrainDataset([benchmark, samples], null)).toBe(2);
    expect(defaultTrainDataset([benchmark, samples], 1)).toBe(2);
  });

  it('keeps the open dataset when it has photos', () => {
    expect(defaultTrainDataset([benchmark, samples, more], 3)).toBe(3);
    expect(defaultTrainDataset([benchmark, samples, more], 99)).toBe(2);
  });

  it('chooses none when no dataset has photos', () => {
    expect(defaultTrainDataset([benchmark], 1)).toBeNull();
    expect(defaultTrainDataset([], null)).toBeNull();
  });
});
