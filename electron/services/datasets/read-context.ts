/** What a reader gets: where rows go, where problems go, and a tick for progress and cancel. */
import type { DatasetWriter } from './dataset-writer.js';
import type { Problems } from './problems.js';

export interface ReadContext {
  writer: DatasetWriter;
  problems: Problems;
  /**
   * Called every ~thousand rows (or files): reports progress (throttled) and throws
   * when the import was cancelled. `fraction` is how far through the input, if known.
   */
  tick(rows: number, fraction: number | null, message?: string): void;
  /** Warnings for the result (not problems: they do not fail the import). */
  warn(text: string): void;
}
