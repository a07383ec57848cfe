/**
 * The Reward Lab's state: the runs to tune on (the chosen one's columns loaded once
 * into the scoring worker), the spec library, spec A being edited and B to compare,
 * the GRPO statistics the worker sends back for every change, and the knot sweep.
 */
import type { RunInfo } from '../../../shared/rpc/completions-methods.js';
import type { PresetSpec, SavedSpec } from '../../../shared/rpc/reward-methods.js';
import { parseRewardSpec, type RewardSpec } from '../../../shared/reward/spec.js';
import { appState } from './app-state.svelte.js';
import { errorMessage } from './format.js';
import { sampledRunsByJob } from './job-rollouts.js';
import { RewardClient, type StatsUpdate } from './reward-client.js';
import { distanceOf, dragKnot, type AxisMode, type Curve } from './reward-curve.js';
import { rewardHandoff } from './reward-handoff.svelte.js';
import { labCurves, libraryEntries, startingSpecs, type LibraryEntry } from './reward-library.js';
import { defaultSweepGrid, sweepProblem, type SweepResult } from './reward-stats.js';
import { newTaskId, rpc, superseded } from './rpc.js';

export interface LoadedRun {
  runId: number;
  count: number;
  groups: number;
  minGroup: number;
  maxGroup: number;
  ms: number;
}

export class RewardLabState {
  runs = $state<RunInfo[]>([]);
  /** Runs that hold a training job's sampled rollouts, by run id. */
  rollouts = $state<ReadonlyMap<number, { jobId: number; jobName: string }>>(sampledRunsByJob([]));
  rolloutRuns = $derived(this.runs.filter((r) => this.rollouts.has(r.id)));
  otherRuns = $derived(this.runs.filter((r) => !this.rollouts.has(r.id)));
  runId = $state<number | null>(null);
  loaded = $state<LoadedRun | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);

  presets = $state<PresetSpec[]>([]);
  saved = $state<SavedSpec[]>([]);
  library = $derived<LibraryEntry[]>(libraryEntries(this.presets, this.saved));

  specA = $state<RewardSpec>(structuredClone(parseRewardSpec({ components: [{ kind: 'format' }] })));
  /** The saved spec A was loaded from (a save writes over it), or null. */
  savedIdA = $state<number | null>(null);
  specB = $state<RewardSpec | null>(null);
  labelB = $state<string | null>(null);
  /** Library keys drawn on the chart. */
  overlays = $state<string[]>([]);
  axis = $state<AxisMode>('knots');
  /** The saved spec being renamed, and the name typed so far. */
  renaming = $state<number | null>(null);
  renameDraft = $state('');

  parsedA = $derived.by((): { spec: RewardSpec | null; error: string | null } => {
    try {
      return { spec: parseRewardSpec($state.snapshot(this.specA)), error: null };
    } catch (err) {
      return { spec: null, error: errorMessage(err) };
    }
  });
  curves = $derived<Curve[]>(labCurves(this.specA, { spec: this.specB, label: this.labelB }, this.overlays, this.library, this.axis));

  stats = $state<StatsUpdate | null>(null);
  sweepResult = $state<SweepResult | null>(null);
  sweepMs = $state<number | null>(null);
  sweepProgress = $state<{ done: number; total: number } | null>(null);
  sweepBlocked = $derived(this.parsedA.spec ? sweepProblem(this.parsedA.spec) : 'fix spec A first');
  /** Spec A's first two knots: the sweep cell it sits in. */
  currentCell = $derived.by((): [number, number] | null => {
    const d = distanceOf(this.specA);
    return d ? [d.c.knots_km[1] ?? NaN, d.c.knots_km[2] ?? NaN] : null;
  });

  private client: RewardClient | null = null;

  /** Starts the scoring worker and loads the library and runs; the returned function stops the worker. */
  open(): () => void {
    this.client = new RewardClient(
      (u) => (this.stats = u),
      (m) => (this.error = m),
      (done, total) => (this.sweepProgress = { done, total }),
    );
    void this.refreshLibrary(true);
    void this.refreshRuns();
    return () => {
      this.client?.terminate();
      this.client = null;
    };
  }

  /** Re-scores the loaded run with A (and B) in the worker; run in an effect, so every change of A or B does. */
  rescore(): void {
    const a = this.parsedA.spec;
    const b = this.specB ? $state.snapshot(this.specB) : null;
    if (!this.loaded || !a || !this.client) return;
    this.client.score(a, b);
  }

  async refreshRuns(): Promise<void> {
    try {
      const [list, jobs] = await Promise.all([rpc.call('runs.list', {}), rpc.call('jobs.list', {})]);
      this.runs = list;
      this.rollouts = sampledRunsByJob(jobs);
      // A run handed over by another view (the Train view's "open its sampled rollouts") wins.
      const wanted = rewardHandoff.take();
      if (wanted !== null && this.runs.some((r) => r.id === wanted)) await this.loadRun(wanted);
      else if (this.runId === null && this.runs.length > 0) await this.loadRun(this.runs[0]?.id ?? null);
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async refreshLibrary(first = false): Promise<void> {
    try {
      const r = await rpc.call('reward.specs.list', {});
      this.presets = r.presets;
      this.saved = r.saved;
      if (first) {
        const { a, b } = startingSpecs(r.presets);
        if (a) this.editCopy(a.name, a.spec);
        if (b) this.setB(b.name, b.spec);
      }
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async loadRun(id: number | null): Promise<void> {
    this.runId = id;
    this.stats = null;
    this.sweepResult = null;
    this.loaded = null;
    if (id === null || !this.client) return;
    this.loading = true;
    this.error = null;
    const taskId = newTaskId('reward-columns');
    try {
      const columns = await rpc.call('reward.runColumns', { runId: id, taskId });
      if (this.runId !== id || !this.client) return;
      const r = await this.client.load(columns);
      this.loaded = { runId: id, count: r.count, groups: r.groups, minGroup: columns.minGroupSize, maxGroup: columns.maxGroupSize, ms: columns.durationMs + r.ms };
    } catch (err) {
      // Picking another run while one loads replaces the older load: no error to show.
      if (!superseded(err)) this.error = errorMessage(err);
    } finally {
      this.loading = false;
      appState.finishTask(taskId);
    }
  }

  /** Edits a copy of a spec as A (a saved spec keeps its name and is saved over). */
  editCopy(name: string, spec: RewardSpec, id: number | null = null): void {
    const copy = structuredClone($state.snapshot(spec));
    copy.name = id === null ? `${name}-tuned` : name;
    this.specA = copy;
    this.savedIdA = id;
    this.sweepResult = null;
  }

  setB(name: string | null, spec: RewardSpec | null): void {
    this.specB = spec ? structuredClone($state.snapshot(spec)) : null;
    this.labelB = name;
  }

  toggleOverlay(key: string): void {
    this.overlays = this.overlays.includes(key) ? this.overlays.filter((k) => k !== key) : [...this.overlays, key];
  }

  /** A knot of A dragged (or nudged) on the chart. */
  drag(knot: number, km: number, value: number): void {
    const d = distanceOf(this.specA);
    if (!d) return;
    const next = dragKnot(d.c, knot, km, value);
    d.c.knots_km = next.knots_km;
    d.c.values = next.values;
  }

  async save(asNew: boolean): Promise<void> {
    this.error = null;
    this.notice = null;
    const name = (this.specA.name ?? '').trim();
    try {
      const r = await rpc.call('reward.specs.save', { id: asNew ? undefined : (this.savedIdA ?? undefined), name, spec: $state.snapshot(this.specA) });
      this.savedIdA = r.id;
      this.notice = `Saved “${r.name}”.`;
      await this.refreshLibrary();
      await appState.refreshProject();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  startRename(id: number, name: string): void {
    this.renaming = id;
    this.renameDraft = name;
  }

  async rename(id: number): Promise<void> {
    try {
      const r = await rpc.call('reward.specs.rename', { id, name: this.renameDraft });
      this.renaming = null;
      if (this.savedIdA === id) this.specA.name = r.name;
      await this.refreshLibrary();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** Deletes a saved spec (asked first). */
  async remove(e: LibraryEntry): Promise<void> {
    if (e.id === null || !confirm(`Delete the saved reward spec “${e.name}”?`)) return;
    try {
      await rpc.call('reward.specs.delete', { id: e.id });
      if (this.savedIdA === e.id) this.savedIdA = null;
      this.overlays = this.overlays.filter((k) => k !== e.key);
      await this.refreshLibrary();
      await appState.refreshProject();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  async runSweep(): Promise<void> {
    if (!this.client || !this.parsedA.spec) return;
    this.sweepProgress = { done: 0, total: defaultSweepGrid.first.length };
    try {
      const r = await this.client.sweep(this.parsedA.spec, defaultSweepGrid);
      this.sweepResult = r.result;
      this.sweepMs = r.ms;
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.sweepProgress = null;
    }
  }

  /** A sweep cell clicked: its knots become A's first two. */
  pickCell(first: number, second: number): void {
    const d = distanceOf(this.specA);
    if (!d) return;
    d.c.knots_km[1] = first;
    d.c.knots_km[2] = second;
  }
}
