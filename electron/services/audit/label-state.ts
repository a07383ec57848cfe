/**
 * The label of a photo as reviews see it. label_reviews is append-only: each entry
 * holds the state before and after the action (LabelState: the chain with flat keys,
 * so completions' TruthReader reads it too, plus the status). The current label is
 * the latest entry's after-state, else the gazetteer's label with status
 * 'unreviewed'. An 'undo' entry restores the before-state of the action it undoes;
 * undoing again undoes the action before that (a stack, not a toggle).
 */
import type { LabelState, LabelStatus, ReviewEntry } from '../../../shared/rpc/audit-methods.js';

export interface RawReview {
  id: number;
  image_id: number;
  verdict: string;
  before_json: string | null;
  after_json: string | null;
  note: string | null;
  at: string;
}

export interface GazetteerChain {
  country_code: string | null;
  country: string | null;
  region_code: string | null;
  region: string | null;
  city: string | null;
}

const statuses: readonly LabelStatus[] = ['unreviewed', 'accepted', 'rejected', 'edited'];

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim().length > 0 ? v : null);

export function gazetteerState(g: GazetteerChain | null | undefined): LabelState {
  return {
    status: 'unreviewed',
    countryCode: g?.country_code ?? null,
    country: g?.country ?? null,
    regionCode: g?.region_code ?? null,
    region: g?.region ?? null,
    city: g?.city ?? null,
    cityFree: false,
  };
}

/**
 * Reads a stored state leniently (camelCase or snake_case keys); a state without a
 * status takes it from the verdict that wrote it. Null for unreadable JSON.
 */
export function parseState(json: string | null, verdict?: string): LabelState | null {
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Record<string, unknown>;
  const given = typeof o.status === 'string' && (statuses as readonly string[]).includes(o.status) ? (o.status as LabelStatus) : null;
  const fromVerdict = verdict && (statuses as readonly string[]).includes(verdict) ? (verdict as LabelStatus) : 'unreviewed';
  return {
    status: given ?? fromVerdict,
    countryCode: str(o.countryCode) ?? str(o.country_code),
    country: str(o.country),
    regionCode: str(o.regionCode) ?? str(o.region_code),
    region: str(o.region),
    city: str(o.city),
    cityFree: o.cityFree === true || o.city_free === true,
  };
}

/** The JSON stored for a state: flat chain keys first, then status and free-city mark. */
export function stateJson(state: LabelState, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    countryCode: state.countryCode,
    country: state.country,
    regionCode: state.regionCode,
    region: state.region,
    city: state.city,
    cityFree: state.cityFree,
    status: state.status,
    ...extra,
  });
}

export function undoneId(json: string | null): number | null {
  if (json === null) return null;
  try {
    const v = (JSON.parse(json) as { undoes?: unknown }).undoes;
    return typeof v === 'number' && Number.isInteger(v) ? v : null;
  } catch {
    return null;
  }
}

export function toEntry(r: RawReview): ReviewEntry {
  return {
    id: r.id,
    imageId: r.image_id,
    verdict: r.verdict,
    before: parseState(r.before_json),
    after: parseState(r.after_json, r.verdict),
    note: r.note,
    at: r.at,
    undoes: r.verdict === 'undo' ? undoneId(r.after_json) : null,
  };
}

/**
 * The review an undo would undo: replay the history, pushing actions and popping one
 * per undo; the top of the stack is the target. Null when nothing is left to undo.
 */
export function undoTarget(history: readonly RawReview[]): RawReview | null {
  const stack: RawReview[] = [];
  for (const r of history) {
    if (r.verdict === 'undo') stack.pop();
    else stack.push(r);
  }
  return stack.at(-1) ?? null;
}

/** The current state from a photo's history (oldest first) and its gazetteer label. */
export function currentState(history: readonly RawReview[], gazetteer: GazetteerChain | null | undefined): LabelState {
  const last = history.at(-1);
  if (last) {
    const state = parseState(last.after_json, last.verdict);
    if (state) return state;
  }
  return gazetteerState(gazetteer);
}
