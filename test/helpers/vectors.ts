/** The contract vectors under test/fixtures/vectors, read with their types. */
import fs from 'node:fs';

const vectorsDir = new URL('../fixtures/vectors/', import.meta.url);

/** One GRPO group: its rewards and the statistics TRL computes from them. */
export interface GrpoGroupVector {
  rewards: number[];
  mean: number;
  std: number;
  zero_std: boolean;
  advantages: number[];
}

export interface GrpoGroupsVector {
  groups: GrpoGroupVector[];
  tolerance: number;
  mean_reward: number;
  reward_std: number;
  frac_reward_zero_std: number;
}

export function readGrpoGroups(): GrpoGroupsVector {
  return JSON.parse(fs.readFileSync(new URL('grpo_groups.json', vectorsDir), 'utf8')) as GrpoGroupsVector;
}
