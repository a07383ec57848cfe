/**
 * The review queue's state: the items loaded so far (pages from the main process in
 * risk order), the position, and the session's actions for undo. The next items and
 * their photos are fetched ahead, so the next photo is ready before the key press.
 */
import { SvelteSet } from 'svelte/reactivity';
import type { EditChain, QueueItem, ReviewEntry } from '../../../shared/rpc/audit-methods.js';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import type { FlagName } from '../../../shared/rpc/browse-methods.js';
import { errorMessage } from './format.js';
import { imageUrl } from './image-url.js';
import { rpc } from './rpc.js';

/** Photos fetched ahead of the current one. */
const PREFETCH = 4;
/** Load the next page when fewer than this many items are left ahead. */
const LOW_WATER = 10;
const PAGE = 40;

export type Scope = 'unreviewed' | 'all' | 'reviewed';

export class AuditQueueState {
  datasetId = $state<number | null>(null);
  scope = $state<Scope>('unreviewed');
  flag = $state<FlagName | ''>('');
  items = $state<QueueItem[]>([]);
  index = $state(0);
  nextCursor = $state<number | null>(0);
  ordered = $state(0);
  loading = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  history = $state<ReviewEntry[]>([]);
  /** Image ids acted on in this session, newest last (what U undoes). */
  actions = $state<number[]>([]);
  reviewedInSession = $state(0);
  /** Set while reviews wait for another process's write lock (an import); the pane shows it. */
  saving = $state<{ pending: number; message: string } | null>(null);

  current = $derived<QueueItem | null>(this.items[this.index] ?? null);

  private generation = 0;
  /** Photos requested ahead (reactive: the status line shows whether the next one is ready). */
  private readonly warmed = new SvelteSet<number>();
  private readonly held: HTMLImageElement[] = [];

  async start(datasetId: number): Promise<void> {
    this.generation++;
    this.datasetId = datasetId;
    this.items = [];
    this.index = 0;
    this.nextCursor = 0;
    this.actions = [];
    this.history = [];
    this.error = null;
    this.message = null;
    this.loading = false; // a page still in flight for the old queue is dropped by its generation
    await this.loadMore();
    this.afterMove();
  }

  async loadMore(): Promise<void> {
    if (this.loading || this.nextCursor === null || this.datasetId === null) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await rpc.call('audit.queue', {
        datasetId: this.datasetId,
        scope: this.scope,
        ...(this.flag ? { flag: this.flag } : {}),
        cursor: this.nextCursor,
        limit: PAGE,
      });
      if (generation !== this.generation) return;
      this.items = [...this.items, ...page.items];
      this.nextCursor = page.nextCursor;
      this.ordered = page.ordered;
      this.prefetch();
    } catch (err) {
      if (generation === this.generation) this.error = errorMessage(err);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  go(delta: number): void {
    const next = this.index + delta;
    if (next < 0 || next >= this.items.length) return;
    this.index = next;
    this.message = null;
    this.afterMove();
  }

  goTo(imageId: number): void {
    const i = this.items.findIndex((it) => it.imageId === imageId);
    if (i >= 0) {
      this.index = i;
      this.afterMove();
    }
  }

  async review(verdict: 'accepted' | 'rejected' | 'edited', edit?: EditChain, note?: string): Promise<void> {
    const item = this.current;
    if (!item || this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      const out = await rpc.call('audit.review', {
        imageId: item.imageId,
        verdict,
        ...(edit ? { edit } : {}),
        ...(note?.trim() ? { note: note.trim() } : {}),
      });
      this.replace(item.imageId, () => out.item);
      this.actions = [...this.actions, item.imageId];
      this.reviewedInSession++;
      if (this.index < this.items.length - 1) this.go(1);
      else void this.refreshHistory();
      this.message = `${verdict[0]?.toUpperCase()}${verdict.slice(1)} photo #${item.imageId}`;
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.busy = false;
    }
  }

  /** Undoes the session's last action (else the current photo's latest review) and shows that photo. */
  async undo(): Promise<void> {
    if (this.busy) return;
    const imageId = this.actions.at(-1) ?? this.current?.imageId;
    if (imageId === undefined) return;
    this.busy = true;
    this.error = null;
    try {
      const out = await rpc.call('audit.undo', { imageId });
      this.actions = this.actions.slice(0, -1);
      this.replace(imageId, () => out.item);
      this.message = `Undid the last review of photo #${imageId}: now ${out.current.status}`;
      this.goTo(imageId);
      void this.refreshHistory();
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.busy = false;
    }
  }

  async refreshHistory(): Promise<void> {
    const item = this.current;
    if (!item) {
      this.history = [];
      return;
    }
    try {
      const h = await rpc.call('audit.history', { imageId: item.imageId });
      if (this.current?.imageId === item.imageId) this.history = h.entries;
    } catch (err) {
      this.error = errorMessage(err);
    }
  }

  private replace(imageId: number, f: (it: QueueItem) => QueueItem): void {
    this.items = this.items.map((it) => (it.imageId === imageId ? f(it) : it));
  }

  /** Fetch history for the new item, the next photos into the cache, and the next page early. */
  private afterMove(): void {
    void this.refreshHistory();
    this.prefetch();
    if (this.items.length - this.index < LOW_WATER) void this.loadMore();
  }

  private prefetch(): void {
    for (let k = 1; k <= PREFETCH; k++) {
      const ahead = this.items[this.index + k];
      if (ahead && ahead.photo === 1 && !this.warmed.has(ahead.imageId)) {
        this.warmed.add(ahead.imageId);
        const img = new Image();
        img.src = imageUrl(ahead.imageId, 'large');
        // Keep a reference until it loads so the request is not dropped.
        this.held.push(img);
        if (this.held.length > 2 * PREFETCH) this.held.shift();
      }
    }
  }

  /** The main process says whether writes wait for the lock, and when all are saved. */
  handleEvent(event: RpcEvent): void {
    if (event.type !== 'writes.status') return;
    this.saving = event.waiting ? { pending: event.pending, message: event.message } : null;
  }

  /** Whether the photo `k` ahead was requested already (tests and the status line read it). */
  prefetched(k: number): boolean {
    const ahead = this.items[this.index + k];
    return ahead !== undefined && (ahead.photo !== 1 || this.warmed.has(ahead.imageId));
  }
}

export const auditQueue = new AuditQueueState();
rpc.onEvent((event) => auditQueue.handleEvent(event));
