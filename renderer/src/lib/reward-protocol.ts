/** Messages between the Reward Lab and its re-scoring worker. */
import type { RunColumns } from '../../../shared/rpc/reward-methods.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import type { LabStats, SweepGrid, SweepResult } from './reward-stats.js';

export type RewardRequest =
  | { type: 'load'; id: number; columns: RunColumns }
  | { type: 'score'; id: number; a: RewardSpec; b: RewardSpec | null }
  | { type: 'sweep'; id: number; spec: RewardSpec; grid: SweepGrid };

export type RewardReply =
  | { type: 'loaded'; id: number; count: number; groups: number; ms: number }
  | { type: 'stats'; id: number; a: LabStats; b: LabStats | null; ms: number }
  | { type: 'sweep-progress'; id: number; done: number; total: number }
  | { type: 'sweep'; id: number; result: SweepResult; ms: number }
  | { type: 'error'; id: number; message: string };
