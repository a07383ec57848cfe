/**
 * The page's side of the Reward Lab worker. Re-scores are coalesced: while one is
 * computing, only the newest request waits, so dragging a knot never queues up stale
 * work and the shown statistics always catch up with the last position.
 */
import type { RunColumns } from '../../../shared/rpc/reward-methods.js';
import type { RewardSpec } from '../../../shared/reward/spec.js';
import type { RewardReply, RewardRequest } from './reward-protocol.js';
import type { LabStats, SweepGrid, SweepResult } from './reward-stats.js';

export interface StatsUpdate {
  a: LabStats;
  b: LabStats | null;
  ms: number;
}

/** Omit over each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Waiter {
  resolve: (reply: RewardReply) => void;
  reject: (err: Error) => void;
}

export class RewardClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private scoring = false;
  private pending: { a: RewardSpec; b: RewardSpec | null } | null = null;

  constructor(
    private readonly onStats: (update: StatsUpdate) => void,
    private readonly onError: (message: string) => void,
    private readonly onSweepProgress: (done: number, total: number) => void = () => undefined,
  ) {
    this.worker = new Worker(new URL('./reward-worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event: MessageEvent<RewardReply>) => this.receive(event.data);
    this.worker.onerror = (event) => this.onError(event.message || 'the re-scoring worker failed');
  }

  private request(message: WithoutId<RewardRequest>): Promise<RewardReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as RewardRequest);
    });
  }

  private receive(reply: RewardReply): void {
    if (reply.type === 'sweep-progress') {
      this.onSweepProgress(reply.done, reply.total);
      return;
    }
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (!waiter) return;
    if (reply.type === 'error') waiter.reject(new Error(reply.message));
    else waiter.resolve(reply);
  }

  async load(columns: RunColumns): Promise<{ count: number; groups: number; ms: number }> {
    const reply = await this.request({ type: 'load', columns });
    if (reply.type !== 'loaded') throw new Error('unexpected reply from the worker');
    return reply;
  }

  /** Asks for the statistics of A (and B); the newest request wins. */
  score(a: RewardSpec, b: RewardSpec | null): void {
    this.pending = { a: plainCopy(a), b: b ? plainCopy(b) : null };
    if (!this.scoring) void this.drain();
  }

  private async drain(): Promise<void> {
    this.scoring = true;
    try {
      while (this.pending) {
        const next = this.pending;
        this.pending = null;
        try {
          const reply = await this.request({ type: 'score', a: next.a, b: next.b });
          if (reply.type === 'stats') this.onStats({ a: reply.a, b: reply.b, ms: reply.ms });
        } catch (err) {
          this.onError(err instanceof Error ? err.message : String(err));
        }
      }
    } finally {
      this.scoring = false;
    }
  }

  async sweep(spec: RewardSpec, grid: SweepGrid): Promise<{ result: SweepResult; ms: number }> {
    const reply = await this.request({ type: 'sweep', spec: plainCopy(spec), grid: plainCopy(grid) });
    if (reply.type !== 'sweep') throw new Error('unexpected reply from the worker');
    return reply;
  }

  terminate(): void {
    this.worker.terminate();
    for (const w of this.waiting.values()) w.reject(new Error('the Reward Lab was closed'));
    this.waiting.clear();
  }
}

/** A plain copy (Svelte state proxies cannot be posted to a worker). */
function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
