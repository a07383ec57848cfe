/**
 * Comparing runs: only photos every run answered count, so each run is measured on
 * the very same ground-truth rows.
 */

/** Ids present in every list, ascending. No list (or an empty one) gives none. */
export function sharedIds(lists: readonly (readonly number[] | Int32Array | Float64Array)[]): number[] {
  if (lists.length === 0) return [];
  const sets = lists.map((l) => new Set<number>(l as Iterable<number>));
  sets.sort((a, b) => a.size - b.size);
  const [smallest, ...rest] = sets;
  const out: number[] = [];
  for (const id of smallest ?? []) if (rest.every((s) => s.has(id))) out.push(id);
  return out.sort((a, b) => a - b);
}
