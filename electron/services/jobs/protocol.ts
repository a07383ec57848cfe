/**
 * The job protocol: one JSON object per stdout line. Anything that is not one of
 * these events is log text. `device` is the built-in trainer's own addition (which
 * device it trains on), shown in the job history.
 */
export type TrainerEvent =
  | { event: 'progress'; step: number; total: number | null }
  | { event: 'metric'; step: number; name: string; value: number | null }
  | { event: 'log'; level: string; message: string }
  | { event: 'artifact'; kind: string; path: string }
  | { event: 'done'; status: 'ok' | 'failed'; message: string }
  | { event: 'device'; device: string; name: string | null };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The event a line carries, or null when the line is plain log text. */
export function parseEventLine(line: string): TrainerEvent | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    o = v as Record<string, unknown>;
  } catch {
    return null;
  }
  switch (o.event) {
    case 'progress':
      return isInt(o.step) ? { event: 'progress', step: o.step, total: isInt(o.total) ? o.total : null } : null;
    case 'metric': {
      const name = str(o.name);
      if (!isInt(o.step) || name === null || name.length === 0) return null;
      const value = typeof o.value === 'number' && Number.isFinite(o.value) ? o.value : null;
      return { event: 'metric', step: o.step, name, value };
    }
    case 'log': {
      const message = str(o.message);
      return message === null ? null : { event: 'log', level: str(o.level) ?? 'info', message };
    }
    case 'artifact': {
      const kind = str(o.kind);
      const p = str(o.path);
      return kind && p ? { event: 'artifact', kind, path: p } : null;
    }
    case 'done': {
      if (o.status !== 'ok' && o.status !== 'failed') return null;
      return { event: 'done', status: o.status, message: str(o.message) ?? '' };
    }
    case 'device': {
      const device = str(o.device);
      return device ? { event: 'device', device, name: str(o.name) } : null;
    }
    default:
      return null;
  }
}

/** Splits a byte stream into lines (the last, unfinished one is kept for the next chunk). */
export class LineSplitter {
  private rest = '';
  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.rest + chunk;
    const lines = text.split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  }
  flush(onLine: (line: string) => void): void {
    if (this.rest.length > 0) onLine(this.rest);
    this.rest = '';
  }
}
