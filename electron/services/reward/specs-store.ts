/**
 * Reward specs saved in the project (table reward_presets). Names are unique and may
 * not shadow a built-in preset, so a name always means one spec. The stored JSON is
 * the validated spec with its `name` set to the saved name, so an export carries it.
 */
import type Database from 'better-sqlite3';
import type { SavedSpec } from '../../../shared/rpc/reward-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { isPresetName } from '../../../shared/reward/presets.js';
import { parseRewardSpec, type RewardSpec } from '../../../shared/reward/spec.js';

interface Row {
  id: number;
  name: string;
  specJson: string;
}

/** Reads a stored row; JSON that no longer validates is reported, not thrown. */
function toSaved(row: Row): SavedSpec {
  try {
    return { id: row.id, name: row.name, spec: parseRewardSpec(JSON.parse(row.specJson)), error: null };
  } catch (err) {
    return { id: row.id, name: row.name, spec: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Validates a spec from a client; the message names every bad field. */
export function validateSpec(json: unknown): RewardSpec {
  try {
    return parseRewardSpec(json);
  } catch (err) {
    throw new RpcError(ErrorCode.BadInput, err instanceof Error ? err.message : String(err));
  }
}

export class RewardSpecsStore {
  constructor(private readonly db: Database.Database) {}

  list(): SavedSpec[] {
    const rows = this.db.prepare('SELECT id, name, spec_json AS specJson FROM reward_presets ORDER BY name COLLATE NOCASE, id').all() as Row[];
    return rows.map(toSaved);
  }

  get(id: number): SavedSpec {
    const row = this.db.prepare('SELECT id, name, spec_json AS specJson FROM reward_presets WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new RpcError(ErrorCode.NotFound, `no saved reward spec with id ${id}`);
    return toSaved(row);
  }

  private checkName(name: string, exceptId: number | null): void {
    if (isPresetName(name)) throw new RpcError(ErrorCode.AlreadyExists, `"${name}" is a built-in preset: choose another name`);
    const other = this.db.prepare('SELECT id FROM reward_presets WHERE name = ?').pluck().get(name) as number | undefined;
    if (other !== undefined && other !== exceptId) {
      throw new RpcError(ErrorCode.AlreadyExists, `a reward spec named "${name}" is saved already`);
    }
  }

  /** Creates (no id) or overwrites (id) a saved spec. */
  save(id: number | undefined, name: string, json: unknown): SavedSpec {
    const spec = validateSpec(json);
    const stored = JSON.stringify({ ...spec, name });
    return this.db.transaction(() => {
      if (id === undefined) {
        this.checkName(name, null);
        const info = this.db.prepare('INSERT INTO reward_presets(name, spec_json) VALUES (?, ?)').run(name, stored);
        return this.get(Number(info.lastInsertRowid));
      }
      this.get(id);
      this.checkName(name, id);
      this.db.prepare('UPDATE reward_presets SET name = ?, spec_json = ? WHERE id = ?').run(name, stored, id);
      return this.get(id);
    })();
  }

  rename(id: number, name: string): SavedSpec {
    return this.db.transaction(() => {
      const current = this.get(id);
      this.checkName(name, id);
      // Keep the stored spec's own name in step; a spec that no longer validates keeps its JSON.
      const json = current.spec ? JSON.stringify({ ...current.spec, name }) : null;
      if (json === null) this.db.prepare('UPDATE reward_presets SET name = ? WHERE id = ?').run(name, id);
      else this.db.prepare('UPDATE reward_presets SET name = ?, spec_json = ? WHERE id = ?').run(name, json, id);
      return this.get(id);
    })();
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM reward_presets WHERE id = ?').run(id).changes > 0;
  }
}
