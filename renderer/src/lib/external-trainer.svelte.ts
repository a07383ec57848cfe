/**
 * The external-trainer panel's state: the recipes (with their defaults) and reward
 * specs to choose from, one draft of the settings, its problems, and the preview /
 * detect / start actions. Start runs exactly the settings the preview showed.
 */
import type { SubsetInfo } from '../../../shared/rpc/audit-methods.js';
import type { ResultOf } from '../../../shared/rpc/contract.js';
import type { ExternalSettings, LaunchPlan } from '../../../shared/rpc/external-methods.js';
import type { PresetSpec, SavedSpec } from '../../../shared/rpc/reward-methods.js';
import { browseState } from './browse-state.svelte.js';
import { autoRunName, draftSettings, isAutoRunName, newDraft, type ExternalDraft } from './external-draft.js';
import { formProblems, type FormField, type FormProblems } from './external-form.js';
import { errorMessage } from './format.js';
import { rpc } from './rpc.js';

type RecipeInfo = ResultOf<'external.recipes'>[number];

export class ExternalTrainerState {
  recipes = $state<RecipeInfo[]>([]);
  presets = $state<PresetSpec[]>([]);
  saved = $state<SavedSpec[]>([]);
  subsets = $state<SubsetInfo[]>([]);
  /** Edited in place by the form (never replaced, so bindings to its fields hold). */
  draft: ExternalDraft = $state(newDraft('vlm-r1-grpo'));
  error = $state<string | null>(null);
  busy = $state(false);
  plan = $state<LaunchPlan | null>(null);
  /** The settings the preview was made from, as JSON: Start runs only those. */
  previewed = $state<string | null>(null);
  detected = $state<{ version: string | null; message: string } | null>(null);
  detecting = $state(false);
  /** Problems are shown once a preview was asked for, then kept up to date. */
  attempted = $state(false);

  info = $derived<RecipeInfo | null>(this.recipes.find((r) => r.id === this.draft.recipe) ?? null);
  settings = $derived<ExternalSettings>(draftSettings(this.draft, this.info?.needs ?? null));
  problems = $derived<FormProblems>(formProblems(this.settings, this.info?.needs ?? null));
  problemCount = $derived(Object.keys(this.problems).length);
  /** The settings changed since the preview. */
  stale = $derived(this.previewed !== JSON.stringify(this.settings));

  async load(): Promise<void> {
    try {
      const [recipes, specs] = await Promise.all([rpc.call('external.recipes', {}), rpc.call('reward.specs.list', {})]);
      this.recipes = recipes;
      this.presets = specs.presets;
      this.saved = specs.saved.filter((s) => s.spec !== null);
      if (browseState.datasets.length === 0) await browseState.loadDatasets();
      this.draft.data.datasetId ??= browseState.datasetId ?? browseState.datasets[0]?.id ?? null;
      this.useDefaults();
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  /** The dataset's subsets; a subset of another dataset no longer applies. */
  loadSubsets(datasetId: number | null): void {
    this.draft.data.subset = '';
    if (datasetId === null) return;
    rpc
      .call('audit.subsets.list', { datasetId })
      .then((s) => (this.subsets = s))
      .catch(() => (this.subsets = []));
  }

  /** The chosen recipe's hyperparameters, and a run name for it unless one was typed. */
  useDefaults(): void {
    const defaults = this.recipes.find((r) => r.id === this.draft.recipe)?.defaults;
    if (defaults) this.draft.hyper = { ...this.draft.hyper, ...defaults };
    if (isAutoRunName(this.draft.runName)) this.draft.runName = autoRunName(this.draft.recipe);
  }

  /** A field's problem, once a preview was asked for. */
  shown(field: FormField): string | undefined {
    return this.attempted ? this.problems[field] : undefined;
  }

  async detectSwift(): Promise<void> {
    this.detecting = true;
    this.detected = null;
    try {
      const r = await rpc.call('external.detectVersion', { settings: { ...this.settings, recipe: 'swift-grpo' } });
      this.detected = { version: r.version, message: r.message };
      if (r.version) this.draft.swiftVersion = r.version;
    } catch (err) {
      this.detected = { version: null, message: errorMessage(err) };
    } finally {
      this.detecting = false;
    }
  }

  async preview(): Promise<void> {
    this.attempted = true;
    this.error = null;
    if (this.problemCount > 0) {
      this.plan = null;
      this.previewed = null;
      return;
    }
    this.busy = true;
    try {
      const settings = $state.snapshot(this.settings);
      this.plan = await rpc.call('external.preview', { settings });
      this.previewed = JSON.stringify(settings);
    } catch (err) {
      this.plan = null;
      this.previewed = null;
      this.error = errorMessage(err);
    } finally {
      this.busy = false;
    }
  }

  /** Queues the previewed run; returns its job id (null when nothing was started). */
  async start(): Promise<number | null> {
    if (!this.previewed || this.stale) return null;
    this.busy = true;
    this.error = null;
    try {
      const job = await rpc.call('external.start', { settings: JSON.parse(this.previewed) as ExternalSettings });
      this.plan = null;
      this.previewed = null;
      this.draft.runName = autoRunName(this.draft.recipe);
      return job.id;
    } catch (err) {
      this.error = errorMessage(err);
      return null;
    } finally {
      this.busy = false;
    }
  }
}
