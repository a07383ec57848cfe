/**
 * Reads the Python dict literal TRL/transformers print once per logging step
 * (`{'loss': 0.0123, 'learning_rate': 1e-06, 'reward': nan, ...}`): single or double
 * quoted strings, ints and floats, nan/inf (bare or as float('nan')), None, True,
 * False, nested lists, tuples and dicts. Not a general Python parser: anything else
 * makes the whole literal unreadable (null), so a line that merely looks like a dict
 * is kept as log text.
 */

export type PyValue = number | string | boolean | null | PyValue[] | { [k: string]: PyValue };

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }

  peek(): string {
    return this.s[this.i] ?? '';
  }

  expect(ch: string): void {
    this.ws();
    if (this.s[this.i] !== ch) throw new Error(`expected ${ch} at ${this.i}`);
    this.i++;
  }

  value(): PyValue {
    this.ws();
    const c = this.peek();
    if (c === '{') return this.dict();
    if (c === '[') return this.seq('[', ']');
    if (c === '(') return this.seq('(', ')');
    if (c === "'" || c === '"') return this.str();
    return this.atom();
  }

  dict(): { [k: string]: PyValue } {
    this.expect('{');
    const out: { [k: string]: PyValue } = {};
    this.ws();
    if (this.peek() === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const k = this.value();
      this.expect(':');
      const v = this.value();
      out[String(k)] = v;
      this.ws();
      const c = this.peek();
      this.i++;
      if (c === '}') return out;
      if (c !== ',') throw new Error(`expected , or } at ${this.i - 1}`);
      this.ws();
      if (this.peek() === '}') {
        this.i++;
        return out;
      }
    }
  }

  seq(open: string, close: string): PyValue[] {
    this.expect(open);
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.peek() === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== close) throw new Error(`expected , or ${close} at ${this.i}`);
    }
  }

  str(): string {
    const q = this.peek();
    this.i++;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      this.i++;
      if (c === q) return out;
      if (c === '\\') {
        const n = this.s[this.i] ?? '';
        this.i++;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      } else out += c;
    }
    throw new Error('unterminated string');
  }

  atom(): PyValue {
    const m = /^(?:float\(\s*['"]?(-?(?:nan|inf|infinity))['"]?\s*\)|-?(?:nan|inf|infinity)\b|None\b|True\b|False\b|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/i.exec(this.s.slice(this.i));
    if (!m) throw new Error(`unexpected ${JSON.stringify(this.s.slice(this.i, this.i + 10))}`);
    this.i += m[0].length;
    const t = (m[1] ?? m[0]).toLowerCase();
    if (t === 'none') return null;
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t.endsWith('nan')) return Number.NaN;
    if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number(t);
  }
}

/** The dict a text holds in full (surrounding whitespace allowed), or null. */
export function parsePythonDict(text: string): Record<string, PyValue> | null {
  const r = new Reader(text);
  try {
    r.ws();
    if (r.peek() !== '{') return null;
    const d = r.dict();
    r.ws();
    return r.i === text.length ? d : null;
  } catch {
    return null;
  }
}
