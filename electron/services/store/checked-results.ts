/**
 * Results that were checked against their RPC method's result schema where they were
 * made (a read-pool thread, see read-queries.ts `checked`). The dispatcher sends these
 * without checking them again on the main thread, where a result with a million-element
 * array costs tens of milliseconds to walk.
 */
const checked = new WeakSet<object>();

export function markChecked(value: unknown): void {
  if (typeof value === 'object' && value !== null) checked.add(value);
}

export function isChecked(value: unknown): boolean {
  return typeof value === 'object' && value !== null && checked.has(value);
}
