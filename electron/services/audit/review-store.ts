/**
 * Review actions on labels. Every action appends one row to label_reviews (before,
 * after, verdict, note, time) inside its own transaction, reading the current state
 * in the same transaction, so two quick key presses never interleave. Nothing is
 * ever updated or deleted: an undo is a new row restoring an earlier state. The same
 * transaction keeps reviewed_labels (the photo's current label) in step.
 */
import type Database from 'better-sqlite3';
import type { EditChain, LabelState, ReviewEntry, ReviewVerdict } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { PlaceIndex } from './places.js';
import { resolveEdit, type ResolvedEdit } from './resolve-edit.js';
import {
  cityPointOf,
  GAZETTEER_LABEL_SQL,
  readReviewedLabel,
  storeReviewedLabel,
  storedCityPoint,
  type CityPoint,
  type GazetteerLabel,
} from './reviewed-labels.js';
import {
  currentState,
  gazetteerState,
  stateJson,
  toEntry,
  undoTarget,
  parseState,
  type GazetteerChain,
  type RawReview,
} from './label-state.js';

export interface ReviewOutcome {
  review: ReviewEntry;
  current: LabelState;
}

const emptyChain = { countryCode: null, country: null, regionCode: null, region: null, city: null, cityFree: false };

const pointKeys = (p: CityPoint | null): Record<string, unknown> => (p ? { cityLat: p.lat, cityLon: p.lon } : {});

export class ReviewStore {
  private readonly historyOf: Database.Statement<[number], RawReview>;
  private readonly gazetteerOf: Database.Statement<[number], GazetteerChain>;
  private readonly gazetteerLabelOf: Database.Statement<[number], GazetteerLabel>;
  private readonly imageExists: Database.Statement<[number], number>;
  private readonly insert: Database.Statement<[number, string, string, string, string | null, string]>;
  private readonly byId: Database.Statement<[number | bigint], RawReview>;

  constructor(
    private readonly db: Database.Database,
    /** The gazetteer index `review` resolves an edit with; null where edits come resolved (`reviewResolved`). */
    private readonly places: (() => PlaceIndex) | null,
    /** Runs inside the review's transaction once the photo's label changed (e.g. to recheck its completions). */
    private readonly afterChange: (imageId: number) => void = () => {},
  ) {
    this.historyOf = db.prepare('SELECT * FROM label_reviews WHERE image_id = ? ORDER BY id');
    this.gazetteerOf = db.prepare(
      "SELECT country_code, country, region_code, region, city FROM cor_labels WHERE image_id = ? AND source = 'gazetteer'",
    );
    this.gazetteerLabelOf = db.prepare(GAZETTEER_LABEL_SQL);
    this.imageExists = db.prepare('SELECT 1 FROM images WHERE id = ?').pluck() as Database.Statement<[number], number>;
    this.insert = db.prepare('INSERT INTO label_reviews(image_id, verdict, before_json, after_json, note, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.byId = db.prepare('SELECT * FROM label_reviews WHERE id = ?');
  }

  history(imageId: number): { current: LabelState; entries: ReviewEntry[] } {
    this.requireImage(imageId);
    const rows = this.historyOf.all(imageId);
    return { current: currentState(rows, this.gazetteerOf.get(imageId)), entries: rows.map(toEntry) };
  }

  current(imageId: number): LabelState {
    return currentState(this.historyOf.all(imageId), this.gazetteerOf.get(imageId));
  }

  review(imageId: number, verdict: ReviewVerdict, edit: EditChain | undefined, note: string | undefined): ReviewOutcome {
    return this.reviewWith(imageId, verdict, () => (edit ? resolveEdit(this.requirePlaces(), edit) : null), note);
  }

  /** A review whose edit (for an 'edited' verdict) was checked against the gazetteer already. */
  reviewResolved(imageId: number, verdict: ReviewVerdict, edit: ResolvedEdit | undefined, note: string | undefined): ReviewOutcome {
    return this.reviewWith(imageId, verdict, () => edit ?? null, note);
  }

  private reviewWith(imageId: number, verdict: ReviewVerdict, resolveIt: () => ResolvedEdit | null, note: string | undefined): ReviewOutcome {
    return this.db.transaction((): ReviewOutcome => {
      this.requireImage(imageId);
      const before = this.current(imageId);
      let after: LabelState;
      let editedCity: CityPoint | null = null;
      if (verdict === 'accepted') {
        // Accepting a rejected label (no chain left) accepts the gazetteer's.
        const chain = before.status === 'rejected' ? gazetteerState(this.gazetteerOf.get(imageId)) : before;
        after = { ...chain, status: 'accepted' };
      } else if (verdict === 'rejected') {
        // A rejected label has no chain: nothing downstream (checks, export) may use it.
        after = { ...emptyChain, status: 'rejected' };
      } else {
        const resolved = resolveIt();
        if (!resolved) throw new RpcError(ErrorCode.BadInput, "an 'edited' review needs the new label");
        editedCity = resolved.point;
        after = { ...resolved.chain, status: 'edited' };
      }
      // Accepting keeps the current chain, and with it the current city's point.
      if (verdict === 'accepted' && before.status !== 'rejected') editedCity = this.currentCityPoint(imageId);
      return this.append(imageId, verdict, before, after, note ?? null, {}, editedCity);
    }).immediate();
  }

  undo(imageId: number, note: string | undefined): ReviewOutcome {
    return this.db.transaction((): ReviewOutcome => {
      this.requireImage(imageId);
      const rows = this.historyOf.all(imageId);
      const target = undoTarget(rows);
      if (!target) throw new RpcError(ErrorCode.BadInput, `photo ${imageId} has no review left to undo`);
      const before = currentState(rows, this.gazetteerOf.get(imageId));
      const restored = parseState(target.before_json) ?? gazetteerState(this.gazetteerOf.get(imageId));
      return this.append(
        imageId,
        'undo',
        before,
        restored,
        note ?? `undo of review #${target.id} (${target.verdict})`,
        { undoes: target.id },
        storedCityPoint(target.before_json),
      );
    }).immediate();
  }

  /** The point of the photo's current city (reviewed label, else the gazetteer's). */
  private currentCityPoint(imageId: number): CityPoint | null {
    const reviewed = readReviewedLabel(this.db, imageId);
    if (reviewed) return reviewed.cityLat !== null && reviewed.cityLon !== null ? { lat: reviewed.cityLat, lon: reviewed.cityLon } : null;
    const g = this.gazetteerLabelOf.get(imageId);
    return g && g.city_lat !== null && g.city_lon !== null ? { lat: g.city_lat, lon: g.city_lon } : null;
  }

  private requirePlaces(): PlaceIndex {
    if (!this.places) throw new RpcError(ErrorCode.Internal, 'this review store takes resolved edits only');
    return this.places();
  }

  private append(
    imageId: number,
    verdict: string,
    before: LabelState,
    after: LabelState,
    note: string | null,
    extra: Record<string, unknown>,
    city: CityPoint | null,
  ): ReviewOutcome {
    // Both states carry their city's point, so an undo restores it with the chain.
    const g = this.gazetteerLabelOf.get(imageId);
    const beforePoint = this.currentCityPoint(imageId);
    const afterPoint = cityPointOf(after, g, city);
    const info = this.insert.run(
      imageId,
      verdict,
      stateJson(before, pointKeys(beforePoint)),
      stateJson(after, { ...extra, ...pointKeys(afterPoint) }),
      note,
      new Date().toISOString(),
    );
    const row = this.byId.get(info.lastInsertRowid);
    if (!row) throw new RpcError(ErrorCode.Internal, 'the review was not stored');
    storeReviewedLabel(this.db, imageId, row.id, after, g, afterPoint);
    this.afterChange(imageId);
    return { review: toEntry(row), current: after };
  }

  private requireImage(imageId: number): void {
    if (this.imageExists.get(imageId) === undefined) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
  }
}
