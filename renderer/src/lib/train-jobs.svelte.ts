/**
 * The Train view's state: the jobs of the open project and the metrics of the ones
 * shown, kept live from `job` events. Everything is read back from the store on
 * (re)load, so a reload of the UI picks running jobs up where they are.
 */
import type { JobEvent, JobInfo, MetricPoint } from '../../../shared/rpc/jobs-methods.js';
import { rpc } from './rpc.js';

class TrainJobs {
  jobs = $state<JobInfo[]>([]);
  /** Metrics per job id, and the last step fetched. */
  metrics = $state<Record<number, MetricPoint[]>>({});
  private lastStep = new Map<number, number>();
  private pending = new Set<number>();
  /** Live log lines per job since the view opened (the file holds all of them). */
  logs = $state<Record<number, string[]>>({});
  /** Bumped whenever metrics arrive, so charts redraw. */
  version = $state(0);
  private listRefresh: ReturnType<typeof setTimeout> | null = null;

  async refresh(): Promise<void> {
    this.jobs = await rpc.call('jobs.list', {});
  }

  /** Fetches a job's metrics after the last step seen (all of them the first time). */
  async loadMetrics(id: number): Promise<void> {
    if (this.pending.has(id)) return;
    this.pending.add(id);
    try {
      const after = this.lastStep.get(id) ?? -1;
      const points = await rpc.call('jobs.metrics', { id, afterStep: after });
      if (points.length > 0) {
        this.metrics = { ...this.metrics, [id]: [...(this.metrics[id] ?? []), ...points] };
        this.lastStep.set(id, Math.max(after, ...points.map((p) => p.step)));
        this.version++;
      }
    } finally {
      this.pending.delete(id);
    }
  }

  /** Forgets a job's metrics (a resume logs some steps again). */
  resetMetrics(id: number): void {
    const next = { ...this.metrics };
    delete next[id];
    this.metrics = next;
    this.lastStep.delete(id);
    this.version++;
  }

  private refreshSoon(): void {
    if (this.listRefresh) return;
    this.listRefresh = setTimeout(() => {
      this.listRefresh = null;
      void this.refresh();
    }, 300);
  }

  onEvent(e: JobEvent, watched: ReadonlySet<number>): void {
    if (e.kind === 'status' || e.kind === 'progress' || e.kind === 'artifact') this.refreshSoon();
    if (e.kind === 'log' && e.text !== undefined) {
      const lines = [...(this.logs[e.jobId] ?? []), e.text].slice(-500);
      this.logs = { ...this.logs, [e.jobId]: lines };
    }
    if ((e.kind === 'progress' || e.kind === 'status') && watched.has(e.jobId)) void this.loadMetrics(e.jobId);
  }
}

export const trainJobs = new TrainJobs();
