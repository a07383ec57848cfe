/**
 * Bad input found while importing: one `file:line: reason` per problem. Without
 * `skipBad` the first problem dooms the import (it is all or nothing), but reading
 * goes on a little so the error can list the first few bad rows, not just one.
 */
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';

/** Problems kept for the message; the rest are only counted. */
export const SHOWN_PROBLEMS = 10;

export class ImportError extends RpcError {
  readonly problems: string[];
  /** `message` is given when the error is rebuilt from a worker's message. */
  constructor(problems: string[], total = problems.length, message?: string) {
    const more = total > problems.length ? `\n… and ${total - problems.length} more problems` : '';
    super(ErrorCode.BadInput, message ?? `${problems.join('\n')}${more}`);
    this.name = 'ImportError';
    this.problems = problems;
  }
}

export class Problems {
  readonly first: string[] = [];
  count = 0;

  constructor(
    readonly file: string,
    readonly skipBad: boolean,
  ) {}

  add(line: number | null, reason: string): void {
    this.count++;
    if (this.first.length < SHOWN_PROBLEMS) this.first.push(line === null ? `${this.file}: ${reason}` : `${this.file}:${line}: ${reason}`);
  }

  /** The import will fail: stop writing rows. */
  get failed(): boolean {
    return !this.skipBad && this.count > 0;
  }

  /** Enough problems to report: stop reading too. */
  get enough(): boolean {
    return this.failed && this.count >= SHOWN_PROBLEMS;
  }

  throwIfFailed(): void {
    if (this.failed) throw new ImportError(this.first, this.count);
  }
}
