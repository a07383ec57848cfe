/**
 * Reads what TRL / transformers trainers (VLM-R1's grpo_jsonl.py, LLaMA-Factory,
 * ms-swift) print, line by line:
 * - the dict logged each logging step → metrics. Every numeric key is a metric; names
 *   are normalised across versions (`train/` dropped, `eval_x` → `eval/x`,
 *   `reward/x/mean` and the older bare `rewards/x` → `rewards/x/mean`); nan/inf and
 *   None are kept as "no value" (null); transformers >= 5's floats-as-strings
 *   (`'0.0123'`) are read as the numbers they print. The step is the dict's own `global_step` / `step`
 *   (ms-swift: `global_step/max_steps: '5/100'`), else the training progress bar's
 *   count when a bar was seen, else a counter of logging steps.
 * - tqdm bars (`  3%|▎  | 12/400 [00:31<16:40,  2.58s/it]`, redrawn with \r) →
 *   progress. Bars with a description (`Map:`, `Loading checkpoint shards:`) are not
 *   the training bar, except ms-swift's `Train:`.
 * - Python tracebacks → the failure: the exception line and the innermost frame. In a
 *   chain ("During handling of the above exception…") the last exception counts; of
 *   separate tracebacks (one per rank, then torchrun's ChildFailedError) the first
 *   that is not torchrun's summary counts, as it names the cause.
 * Lines of several ranks arrive prefixed `[rank0]: `; the prefix is dropped.
 */
import { parsePythonDict, type PyValue } from './python-literal.js';

export interface TrlProgress {
  step: number;
  total: number | null;
  /** e.g. "12/400, 00:31 elapsed, 16:40 left, 2.58s/it" */
  text: string;
}

export interface TrlFailure {
  /** The exception line, e.g. "torch.OutOfMemoryError: CUDA out of memory…" */
  exception: string;
  /** The innermost frame: "path/to/file.py:123 in fn", or null. */
  location: string | null;
  /** exception + location, one line, for a job's message. */
  message: string;
}

export type TrlLogEvent =
  | { kind: 'metrics'; step: number; values: Record<string, number | null> }
  | { kind: 'progress'; progress: TrlProgress }
  | { kind: 'failure'; failure: TrlFailure };

const RANK_PREFIX = /^\[(?:rank|default)\d+\]:\s?/;
const TQDM = /^(.*?)(\d{1,3})%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([^\]<]*)<([^\],]*)(?:,\s*([^\]]*))?\]/;
const TRAIN_BAR_DESC = /^(?:train(?:ing)?:?)?$/i;

/** A metric's canonical name, the same whatever TRL version or logger wrote it. */
export function normaliseMetricName(raw: string): string {
  let name = raw.trim();
  let evalPrefix = false;
  if (name.startsWith('train/')) name = name.slice('train/'.length);
  if (name.startsWith('eval/')) {
    evalPrefix = true;
    name = name.slice('eval/'.length);
  } else if (name.startsWith('eval_')) {
    evalPrefix = true;
    name = name.slice('eval_'.length);
  }
  // reward/x/mean (some versions) → rewards/x/mean; the old rewards/x (no statistic) too.
  const m = /^rewards?\/(.+?)(?:\/(mean|std))?$/.exec(name);
  if (m) name = `rewards/${m[1]}/${m[2] ?? 'mean'}`;
  return evalPrefix ? `eval/${name}` : name;
}

/** A number as Python's str()/format() writes it: 0.0123, 1e-06, 1.235e+06, nan, inf, -inf. */
const PY_NUMBER_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const PY_NONFINITE_TEXT = /^[-+]?(?:nan|inf)$/i;

/**
 * A metric value: finite numbers as they are; nan/inf and None (TRL logs None for a
 * metric that is NaN on every process) as null, "no value". transformers >= 5 prints
 * floats as strings (`'loss': '0.0123'`, `f"{v:.4g}"`), so a string that is wholly a
 * number is that number; any other string (ms-swift's `'percentage': '1.00%'`,
 * `'elapsed_time': '30s'`) is not a metric.
 */
function numeric(v: PyValue): number | null | undefined {
  if (v === null) return null;
  if (typeof v === 'string') {
    const t = v.trim();
    if (PY_NONFINITE_TEXT.test(t)) return null;
    if (!PY_NUMBER_TEXT.test(t)) return undefined;
    v = Number(t);
  }
  if (typeof v !== 'number') return undefined;
  return Number.isFinite(v) ? v : null;
}

/** An integer step from a number or, under transformers >= 5, a string of digits. */
function integerOf(v: PyValue): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return null;
}

/** A dict of the logging step as metric values, with the step it names (if any). */
export function metricsOf(dict: Record<string, PyValue>): { values: Record<string, number | null>; step: number | null; total: number | null } {
  const values: Record<string, number | null> = {};
  let step: number | null = null;
  let total: number | null = null;
  for (const [k, v] of Object.entries(dict)) {
    if (k === 'global_step/max_steps' && typeof v === 'string') {
      const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
      if (m) {
        step = Number(m[1]);
        total = Number(m[2]);
      }
      continue;
    }
    if ((k === 'global_step' || k === 'step' || k === 'current_steps') && integerOf(v) !== null) {
      step = integerOf(v);
      continue;
    }
    if (k === 'total_steps' && integerOf(v) !== null) {
      total = integerOf(v);
      continue;
    }
    const n = numeric(v);
    if (n === undefined) continue;
    values[normaliseMetricName(k)] = n;
  }
  return { values, step, total };
}

interface Tb {
  exception: string | null;
  location: string | null;
}

export class TrlLogReader {
  /** Logging steps seen (the step when neither the dict nor a bar names one). */
  private logCount = 0;
  private barStep: number | null = null;
  private barTotal: number | null = null;
  private lastStep = 0;
  /** The traceback being read, and whether its frames are done. */
  private tb: Tb | null = null;
  private tbAfterFrames = false;
  /** A "During handling of the above exception" line links the next traceback to the last. */
  private linkPending = false;
  private chosen: TrlFailure | null = null;
  /** Whether `chosen` belongs to the latest chain of tracebacks. */
  private chosenInChain = false;
  private lastFailure: TrlFailure | null = null;

  /** The failure to report: null when no traceback was printed. */
  get failure(): TrlFailure | null {
    return this.chosen ?? this.lastFailure;
  }

  get step(): number {
    return this.lastStep;
  }

  get total(): number | null {
    return this.barTotal;
  }

  /** One line of output (\r-redrawn segments inside it are read one by one). */
  push(rawLine: string): TrlLogEvent[] {
    const out: TrlLogEvent[] = [];
    for (const seg of rawLine.split('\r')) this.segment(seg.replace(RANK_PREFIX, ''), out);
    return out;
  }

  /** The output ended: a traceback still open is settled. */
  end(): TrlLogEvent[] {
    const out: TrlLogEvent[] = [];
    this.closeTraceback(out);
    return out;
  }

  private segment(line: string, out: TrlLogEvent[]): void {
    const trimmed = line.trim();
    if (trimmed.length === 0) return;
    if (this.traceback(line, trimmed, out)) return;

    const open = trimmed.indexOf('{');
    if (open >= 0 && trimmed.endsWith('}')) {
      const dict = parsePythonDict(trimmed.slice(open));
      if (dict) {
        const { values, step, total } = metricsOf(dict);
        // A logging step has at least one number (loss, learning_rate…); a dict of Nones
        // is some configuration printed, not a step.
        if (Object.values(values).some((v) => v !== null)) {
          this.logCount++;
          const s = step ?? this.barStep ?? this.logCount;
          this.lastStep = Math.max(this.lastStep, s);
          out.push({ kind: 'metrics', step: s, values });
          if (step !== null && total !== null) {
            this.barTotal = total;
            out.push({ kind: 'progress', progress: { step, total, text: `${step}/${total}` } });
          }
        }
        return;
      }
    }
    const bar = TQDM.exec(line);
    if (bar) {
      const desc = (bar[1] ?? '').trim();
      const n = Number(bar[3]);
      const total = Number(bar[4]);
      if (!TRAIN_BAR_DESC.test(desc)) return;
      // Several undescribed bars (training, evaluation): the longest one is training.
      if (this.barTotal !== null && total < this.barTotal) return;
      this.barTotal = total;
      this.barStep = n;
      this.lastStep = Math.max(this.lastStep, n);
      const rate = (bar[7] ?? '').trim();
      const text = `${n}/${total}, ${(bar[5] ?? '').trim()} elapsed, ${(bar[6] ?? '').trim()} left${rate ? `, ${rate}` : ''}`;
      out.push({ kind: 'progress', progress: { step: n, total, text } });
    }
  }

  /** True when the line belongs to a traceback (and was consumed). */
  private traceback(line: string, trimmed: string, out: TrlLogEvent[]): boolean {
    const link = /^(During handling of the above exception|The above exception was the direct cause)/.test(trimmed);
    if (trimmed.startsWith('Traceback (most recent call last)')) {
      this.closeTraceback(out);
      this.tb = { exception: null, location: null };
      this.tbAfterFrames = false;
      return true;
    }
    if (this.tb === null) {
      if (link) this.linkPending = true;
      return link;
    }
    if (!this.tbAfterFrames) {
      const frame = /^\s*File "([^"]+)", line (\d+)(?:, in (.+))?/.exec(line);
      if (frame) {
        this.tb.location = `${frame[1]}:${frame[2]}${frame[3] ? ` in ${frame[3].trim()}` : ''}`;
        return true;
      }
      if (/^\s/.test(line)) return true; // source lines, ^^^^ markers
      this.tb.exception = trimmed;
      this.tbAfterFrames = true;
      return true;
    }
    // The first line after the exception ends the traceback; it is read as usual.
    this.closeTraceback(out);
    if (link) this.linkPending = true;
    return link;
  }

  /** Settles the open traceback. */
  private closeTraceback(out: TrlLogEvent[]): void {
    const tb = this.tb;
    this.tb = null;
    this.tbAfterFrames = false;
    if (!tb || tb.exception === null) return;
    const failure: TrlFailure = {
      exception: tb.exception,
      location: tb.location,
      message: tb.location ? `${tb.exception} (at ${tb.location})` : tb.exception,
    };
    const linked = this.linkPending;
    this.linkPending = false;
    this.lastFailure = failure;
    const summary = /ChildFailedError/.test(failure.exception);
    if (linked && this.chosenInChain) {
      // A later exception of the chain the chosen one belongs to: the last one counts.
      if (!summary) this.chosen = failure;
    } else if (this.chosen === null && !summary) {
      this.chosen = failure;
      this.chosenInChain = true;
    } else {
      this.chosenInChain = false;
    }
    out.push({ kind: 'failure', failure });
  }
}
