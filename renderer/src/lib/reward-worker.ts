/**
 * The Reward Lab's worker: holds one run's columns and re-scores them under the specs
 * it is sent (every drag of a knot), off the page's thread.
 */
import { decodeRunColumns } from './reward-columns.js';
import type { RewardReply, RewardRequest } from './reward-protocol.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import { labStats, sweep, type LabColumns, type LabStats } from './reward-stats.js';

let columns: LabColumns | null = null;
/** The last statistics per spec (by its JSON): B rarely changes while A is dragged. */
let last: { key: string; stats: LabStats }[] = [];

function statsOf(spec: RewardSpec, cols: LabColumns): LabStats {
  const key = JSON.stringify(spec);
  const hit = last.find((e) => e.key === key);
  if (hit) return hit.stats;
  const stats = labStats(spec, cols);
  last = [{ key, stats }, ...last].slice(0, 2);
  return stats;
}

const post = (reply: RewardReply): void => {
  (self as unknown as Worker).postMessage(reply);
};

self.onmessage = (event: MessageEvent<RewardRequest>) => {
  const m = event.data;
  const started = performance.now();
  try {
    if (m.type === 'load') {
      columns = decodeRunColumns(m.columns);
      last = [];
      post({ type: 'loaded', id: m.id, count: columns.count, groups: columns.offsets.length - 1, ms: performance.now() - started });
      return;
    }
    if (!columns) throw new Error('no run loaded');
    if (m.type === 'score') {
      const b = m.b ? statsOf(m.b, columns) : null;
      const a = statsOf(m.a, columns);
      post({ type: 'stats', id: m.id, a, b, ms: performance.now() - started });
    } else {
      const total = m.grid.first.length;
      const result = sweep(m.spec, columns, m.grid, (done) => post({ type: 'sweep-progress', id: m.id, done, total }));
      post({ type: 'sweep', id: m.id, result, ms: performance.now() - started });
    }
  } catch (err) {
    post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
};
