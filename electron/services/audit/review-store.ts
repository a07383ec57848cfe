/**
 * Review actions on labels. Every action appends one row to label_reviews (before,
 * after, verdict, note, time) inside its own transaction, reading the current state
 * in the same transaction, so two quick key presses never interleave. Nothing is
 * ever updated or deleted: an undo is a new row restoring an earlier state.
 */
import type Database from 'better-sqlite3';
import type { EditChain, LabelState, ReviewEntry, ReviewVerdict } from '../../../shared/rpc/audit-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { PlaceIndex } from './places.js';
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

export class ReviewStore {
  private readonly historyOf: Database.Statement<[number], RawReview>;
  private readonly gazetteerOf: Database.Statement<[number], GazetteerChain>;
  private readonly imageExists: Database.Statement<[number], number>;
  private readonly insert: Database.Statement<[number, string, string, string, string | null, string]>;
  private readonly byId: Database.Statement<[number | bigint], RawReview>;

  constructor(
    private readonly db: Database.Database,
    private readonly places: () => PlaceIndex,
  ) {
    this.historyOf = db.prepare('SELECT * FROM label_reviews WHERE image_id = ? ORDER BY id');
    this.gazetteerOf = db.prepare(
      "SELECT country_code, country, region_code, region, city FROM cor_labels WHERE image_id = ? AND source = 'gazetteer'",
    );
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
    return this.db.transaction((): ReviewOutcome => {
      this.requireImage(imageId);
      const before = this.current(imageId);
      let after: LabelState;
      if (verdict === 'accepted') {
        // Accepting a rejected label (no chain left) accepts the gazetteer's.
        const chain = before.status === 'rejected' ? gazetteerState(this.gazetteerOf.get(imageId)) : before;
        after = { ...chain, status: 'accepted' };
      } else if (verdict === 'rejected') {
        // A rejected label has no chain: nothing downstream (checks, export) may use it.
        after = { ...emptyChain, status: 'rejected' };
      } else {
        if (!edit) throw new RpcError(ErrorCode.BadInput, "an 'edited' review needs the new label");
        after = { ...this.resolveEdit(edit), status: 'edited' };
      }
      return this.append(imageId, verdict, before, after, note ?? null, {});
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
      return this.append(imageId, 'undo', before, restored, note ?? `undo of review #${target.id} (${target.verdict})`, { undoes: target.id });
    }).immediate();
  }

  /** The edit's codes checked against the gazetteer; a city not in it is kept as free text and marked. */
  private resolveEdit(edit: EditChain): Omit<LabelState, 'status'> {
    const places = this.places();
    const country = places.country(edit.countryCode);
    if (!country) throw new RpcError(ErrorCode.BadInput, `unknown country code '${edit.countryCode}'`);
    let regionCode: string | null = null;
    let region: string | null = edit.region?.trim() || null;
    if (edit.regionCode) {
      const r = places.region(country.code, edit.regionCode);
      if (!r) throw new RpcError(ErrorCode.BadInput, `'${edit.regionCode}' is not a region of ${country.name}`);
      regionCode = r.code;
      region = r.name;
    }
    const typed = edit.city?.trim() || null;
    let city: string | null = typed;
    let cityFree = false;
    if (typed) {
      const found = places.findCity(country.code, regionCode, typed);
      if (found) city = found.name;
      else cityFree = true;
    }
    return { countryCode: country.code, country: country.name, regionCode, region, city, cityFree };
  }

  private append(
    imageId: number,
    verdict: string,
    before: LabelState,
    after: LabelState,
    note: string | null,
    extra: Record<string, unknown>,
  ): ReviewOutcome {
    const info = this.insert.run(imageId, verdict, stateJson(before), stateJson(after, extra), note, new Date().toISOString());
    const row = this.byId.get(info.lastInsertRowid);
    if (!row) throw new RpcError(ErrorCode.Internal, 'the review was not stored');
    return { review: toEntry(row), current: after };
  }

  private requireImage(imageId: number): void {
    if (this.imageExists.get(imageId) === undefined) throw new RpcError(ErrorCode.NotFound, `no photo with id ${imageId}`);
  }
}
