/**
 * Python's `ast.literal_eval` on a completion, as far as Geo-R's released accuracy
 * reward reads it: the whole text must be one Python literal (a dict, possibly in
 * parentheses, with comments and line breaks inside brackets), its key `'LOC'` must
 * hold something that unpacks into two real numbers. Anything Python would reject
 * (a syntax error, a name, an unhashable key, a third element) gives null.
 *
 * Followed: CPython 3.11's tokenizer and `ast.literal_eval` (numbers with underscores
 * and bases, string prefixes, escapes, implicit concatenation, `set()`, `a + bj`,
 * unary signs, trailing commas, indentation errors, the 200-level bracket limit), and
 * the iteration order of what `lat, lon = value` unpacks: list, tuple, bytes (their
 * byte values), dict (its keys) and set (CPython's hash-table order).
 * Not followed: `\N{name}` escapes (the name table is not here: such a string is
 * unknown and a key spelled with one gives null), backslash line continuations outside
 * brackets, and identifiers outside ASCII.
 */

type PyValue =
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'complex' }
  | { t: 'none' }
  | { t: 'ellipsis' }
  /** v null: content not known (a `\N{…}` escape). */
  | { t: 'str'; v: string | null }
  | { t: 'bytes'; v: number[] }
  | { t: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { t: 'dict'; keys: PyValue[]; values: PyValue[] };

type Node =
  | { n: 'const'; v: PyValue }
  | { n: 'unary'; op: '+' | '-'; arg: Node }
  | { n: 'binop'; op: '+' | '-'; left: Node; right: Node }
  | { n: 'tuple' | 'list' | 'set'; items: Node[] }
  | { n: 'dict'; keys: Node[]; values: Node[] }
  | { n: 'emptyset' }
  | { n: 'other' };

type Token =
  | { k: 'op'; v: string }
  | { k: 'num'; v: PyValue }
  | { k: 'str'; bytes: boolean; v: string | null; f: boolean }
  | { k: 'name'; v: string }
  | { k: 'end' };

/** Thrown where Python raises; one instance, so a rejection costs no stack trace. */
class Reject extends Error {}
const REJECTED = new Reject('not a literal Python reads');
const reject = (): never => {
  throw REJECTED;
};

const MAX_LEVEL = 200;
const ID_START = /[A-Za-z_]/;
const ID_CHAR = /[A-Za-z0-9_]/;

/** Indentation of a top-level line: spaces and tabs count, a form feed resets. */
function indentEnd(s: string, i: number): { end: number; col: number } {
  let col = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') col++;
    else if (c === '\f') col = 0;
    else break;
    i++;
  }
  return { end: i, col };
}

const DIGITS = '[0-9](?:_?[0-9])*';
const EXPONENT = `[eE][-+]?${DIGITS}`;
const BASED_INT = /0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/y;
const FLOAT = new RegExp(`(?:(?:${DIGITS})?\\.${DIGITS}(?:${EXPONENT})?|${DIGITS}\\.(?:${EXPONENT})?|${DIGITS}${EXPONENT})`, 'y');
const DEC_INT = new RegExp(DIGITS, 'y');

/** The sticky `rx`'s match at `i`, or null. */
function matchAt(rx: RegExp, s: string, i: number): string | null {
  rx.lastIndex = i;
  return rx.exec(s)?.[0] ?? null;
}

function readNumber(s: string, i: number): { end: number; v: PyValue } {
  const based = matchAt(BASED_INT, s, i);
  let end: number;
  let v: PyValue;
  if (based !== null) {
    end = i + based.length;
    v = { t: 'int', v: BigInt(based.replace(/_/g, '')) };
  } else {
    const float = matchAt(FLOAT, s, i);
    const text = float ?? matchAt(DEC_INT, s, i) ?? reject();
    end = i + text.length;
    const imag = s[end] === 'j' || s[end] === 'J';
    if (imag) {
      end++;
      v = { t: 'complex' };
    } else if (float !== null) v = { t: 'float', v: Number(text.replace(/_/g, '')) };
    else {
      // A decimal integer other than zeros has no leading 0 ("012" is a syntax error).
      if (/^0/.test(text) && /[1-9]/.test(text)) reject();
      v = { t: 'int', v: BigInt(text.replace(/_/g, '')) };
    }
  }
  // "1abc", "1_", "0x1g", "1.2.3": letters, digits, "_" or "." straight after a number.
  const next = s[end];
  if (next !== undefined && (ID_CHAR.test(next) || next === '.' || next.charCodeAt(0) > 0x7f)) reject();
  return { end, v };
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A string literal's value from its body (between the quotes). */
function decodeBody(body: string, raw: boolean, bytes: boolean): string | null {
  if (bytes && [...body].some((ch) => ch.charCodeAt(0) > 0x7f)) reject();
  if (raw) return body;
  let out = '';
  let unknown = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) reject();
    i++;
    if (e === '\n') continue;
    const simple = SIMPLE_ESCAPES[e as string];
    if (simple !== undefined) {
      out += simple;
    } else if (/[0-7]/.test(e as string)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      const code = parseInt(m[0], 8);
      if (bytes && code > 0xff) reject();
      out += String.fromCodePoint(code);
      i += m[0].length - 1;
    } else if (e === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(body.slice(i + 1)) ?? reject();
      out += String.fromCodePoint(parseInt(m[0], 16));
      i += 2;
    } else if (!bytes && (e === 'u' || e === 'U')) {
      const len = e === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{${len}}`).exec(body.slice(i + 1)) ?? reject();
      const code = parseInt(m[0], 16);
      if (code > 0x10ffff) reject();
      out += String.fromCodePoint(code);
      i += len;
    } else if (!bytes && e === 'N') {
      const m = /^\{[^}]+\}/.exec(body.slice(i + 1)) ?? reject();
      unknown = true;
      i += m[0].length;
    } else {
      out += `\\${e}`; // an unknown escape keeps its backslash
    }
  }
  return unknown ? null : out;
}

function readString(s: string, i: number, prefix: string): { end: number; tok: Token } {
  const p = prefix.toLowerCase();
  const raw = p.includes('r');
  const bytes = p.includes('b');
  const f = p.includes('f');
  const q = s[i] as string;
  const triple = s.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let j = i + close.length;
  const start = j;
  for (;;) {
    if (j >= s.length) reject();
    const c = s[j] as string;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (!triple && c === '\n') reject();
    if (s.startsWith(close, j)) break;
    j++;
  }
  const body = s.slice(start, j);
  return { end: j + close.length, tok: { k: 'str', bytes, f, v: f ? null : decodeBody(body, raw, bytes) } };
}

function tokenize(src: string): Token[] {
  // Newlines as CPython reads a source string: \r\n and \r are \n.
  const s = src.replace(/^[ \t]+/, '').replace(/\r\n?/g, '\n');
  if (s.includes('\0')) reject();
  if (/[\ud800-\udfff]/u.test(s)) reject(); // a lone surrogate cannot be encoded
  const out: Token[] = [];
  let level = 0;
  let i = 0;
  let lineStart = true;
  while (i < s.length) {
    if (lineStart && level === 0) {
      lineStart = false;
      const { end, col } = indentEnd(s, i);
      i = end;
      if (i >= s.length) {
        if (col > 0) reject(); // a last line of only spaces: "unexpected indent"
        break;
      }
      const c = s[i];
      if (c === '\n' || c === '#') {
        // a blank or comment line
      } else if (col > 0) reject();
      continue;
    }
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
    } else if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '\n') {
      i++;
      if (level === 0) {
        lineStart = true;
        out.push({ k: 'op', v: 'NEWLINE' });
      }
    } else if (c === '\\') {
      if (s[i + 1] !== '\n' || level === 0) reject();
      i += 2;
    } else if ('([{'.includes(c)) {
      level++;
      if (level > MAX_LEVEL) reject(); // "too many nested parentheses"
      out.push({ k: 'op', v: c });
      i++;
    } else if (')]}'.includes(c)) {
      level--;
      if (level < 0) reject();
      out.push({ k: 'op', v: c });
      i++;
    } else if (c === ',' || c === ':' || c === '+' || c === '-') {
      out.push({ k: 'op', v: c });
      i++;
    } else if (s.startsWith('...', i)) {
      out.push({ k: 'num', v: { t: 'ellipsis' } });
      i += 3;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const r = readNumber(s, i);
      out.push({ k: 'num', v: r.v });
      i = r.end;
    } else if (c === '"' || c === "'") {
      const r = readString(s, i, '');
      out.push(r.tok);
      i = r.end;
    } else if (ID_START.test(c)) {
      let j = i + 1;
      while (j < s.length && ID_CHAR.test(s[j] as string)) j++;
      const word = s.slice(i, j);
      if ((s[j] === '"' || s[j] === "'") && /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/.test(word)) {
        const r = readString(s, j, word);
        out.push(r.tok);
        i = r.end;
      } else {
        if (j < s.length && (s.charCodeAt(j) as number) > 0x7f) reject();
        out.push({ k: 'name', v: word });
        i = j;
      }
    } else {
      reject();
    }
  }
  if (level !== 0) reject();
  out.push({ k: 'end' });
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos] as Token;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) reject();
    this.pos++;
  }

  /** The whole source: one expression (list) on one logical line, then only blank lines. */
  top(): Node {
    while (this.isOp('NEWLINE')) this.pos++;
    const node = this.exprList(['NEWLINE', 'end']);
    while (this.isOp('NEWLINE')) this.pos++;
    if (this.peek().k !== 'end') reject();
    return node;
  }

  /** `a`, or `a, b, …` as a tuple (a trailing comma allowed) up to one of `stops`. */
  private exprList(stops: string[]): Node {
    const atStop = (): boolean => {
      const t = this.peek();
      return t.k === 'end' ? stops.includes('end') : t.k === 'op' && stops.includes(t.v);
    };
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (atStop()) break;
      items.push(this.expr());
    }
    return { n: 'tuple', items };
  }

  private expr(): Node {
    let left = this.unary();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.peek() as { v: '+' | '-' }).v;
      this.pos++;
      left = { n: 'binop', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('+') || this.isOp('-')) {
      const op = (this.peek() as { v: '+' | '-' }).v;
      this.pos++;
      return { n: 'unary', op, arg: this.unary() };
    }
    const a = this.atom();
    // A call, subscript or attribute after an atom is not a literal.
    if (this.isOp('(') || this.isOp('[')) reject();
    return a;
  }

  private atom(): Node {
    const t = this.peek();
    if (t.k === 'num') {
      this.pos++;
      return { n: 'const', v: t.v };
    }
    if (t.k === 'str') return this.strings();
    if (t.k === 'name') {
      this.pos++;
      if (t.v === 'True') return { n: 'const', v: { t: 'bool', v: true } };
      if (t.v === 'False') return { n: 'const', v: { t: 'bool', v: false } };
      if (t.v === 'None') return { n: 'const', v: { t: 'none' } };
      if (t.v === 'set' && this.isOp('(')) {
        this.pos++;
        this.expect(')');
        return { n: 'emptyset' };
      }
      return reject();
    }
    if (t.k !== 'op') return reject();
    this.pos++;
    if (t.v === '(') {
      if (this.isOp(')')) {
        this.pos++;
        return { n: 'tuple', items: [] };
      }
      const inner = this.exprList([')']);
      this.expect(')');
      return inner;
    }
    if (t.v === '[') {
      const items = this.items(']');
      return { n: 'list', items };
    }
    if (t.v === '{') {
      if (this.isOp('}')) {
        this.pos++;
        return { n: 'dict', keys: [], values: [] };
      }
      const first = this.expr();
      if (this.isOp(':')) {
        this.pos++;
        const keys = [first];
        const values = [this.expr()];
        while (this.isOp(',')) {
          this.pos++;
          if (this.isOp('}')) break;
          keys.push(this.expr());
          this.expect(':');
          values.push(this.expr());
        }
        this.expect('}');
        return { n: 'dict', keys, values };
      }
      const items = [first];
      while (this.isOp(',')) {
        this.pos++;
        if (this.isOp('}')) break;
        items.push(this.expr());
      }
      this.expect('}');
      return { n: 'set', items };
    }
    return reject();
  }

  private items(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr());
      if (this.isOp(',')) this.pos++;
      else break;
    }
    this.expect(close);
    return items;
  }

  /** Adjacent string literals concatenate; str and bytes do not mix; an f-string is no literal. */
  private strings(): Node {
    let bytes: boolean | null = null;
    let value: string | null = '';
    let f = false;
    for (let t = this.peek(); t.k === 'str'; t = this.peek()) {
      this.pos++;
      if (bytes !== null && bytes !== t.bytes) reject();
      bytes = t.bytes;
      f = f || t.f;
      value = value === null || t.v === null ? null : value + t.v;
    }
    if (f) return { n: 'other' };
    if (bytes) return { n: 'const', v: { t: 'bytes', v: [...(value ?? '')].map((ch) => ch.codePointAt(0) as number) } };
    return { n: 'const', v: { t: 'str', v: value } };
  }
}

// ---- ast.literal_eval's conversion -------------------------------------------------------

const isNum = (v: PyValue): boolean => v.t === 'int' || v.t === 'float' || v.t === 'complex';

function convertNum(node: Node): PyValue {
  if (node.n !== 'const' || !isNum(node.v)) reject();
  return (node as { v: PyValue }).v;
}

function convertSignedNum(node: Node): PyValue {
  if (node.n === 'unary') {
    const v = convertNum(node.arg);
    if (node.op === '+') return v;
    if (v.t === 'int') return { t: 'int', v: -v.v };
    if (v.t === 'float') return { t: 'float', v: -v.v };
    return v;
  }
  return convertNum(node);
}

function hashable(v: PyValue): boolean {
  if (v.t === 'list' || v.t === 'set' || v.t === 'dict') return false;
  if (v.t === 'tuple') return v.items.every(hashable);
  return true;
}

function convert(node: Node): PyValue {
  switch (node.n) {
    case 'const':
      return node.v;
    case 'tuple':
    case 'list':
      return { t: node.n, items: node.items.map(convert) };
    case 'set': {
      const items = node.items.map(convert);
      if (!items.every(hashable)) reject();
      return { t: 'set', items };
    }
    case 'emptyset':
      return { t: 'set', items: [] };
    case 'dict': {
      const keys = node.keys.map(convert);
      const values = node.values.map(convert);
      if (!keys.every(hashable)) reject();
      return { t: 'dict', keys, values };
    }
    case 'binop': {
      const left = convertSignedNum(node.left);
      const right = convertNum(node.right);
      if ((left.t === 'int' || left.t === 'float') && right.t === 'complex') return { t: 'complex' };
      return convertSignedNum(node);
    }
    default:
      return convertSignedNum(node);
  }
}

// ---- unpacking `lat, lon = value` --------------------------------------------------------

/** A real number for math.radians: int, float or bool; anything else is a TypeError. */
function real(v: PyValue): number {
  if (v.t === 'int') return Number(v.v);
  if (v.t === 'float') return v.v;
  if (v.t === 'bool') return v.v ? 1 : 0;
  return reject();
}

const P61 = (1n << 61n) - 1n;
const U64 = (1n << 64n) - 1n;

/** CPython's hash of an int, float or bool (Python/pyhash.c, Objects/longobject.c). */
function pyHash(v: PyValue): bigint {
  let h: bigint;
  if (v.t === 'bool') h = v.v ? 1n : 0n;
  else if (v.t === 'int') {
    const m = (v.v < 0n ? -v.v : v.v) % P61;
    h = v.v < 0n ? -m : m;
  } else {
    const x = (v as { v: number }).v;
    if (!Number.isFinite(x)) h = x > 0 ? 314159n : -314159n;
    else {
      // |x| = mant · 2^exp exactly; 2^61 ≡ 1 (mod 2^61 − 1), so the exponent acts mod 61.
      let mant = Math.abs(x);
      let exp = 0;
      while (mant !== Math.floor(mant)) {
        mant *= 2;
        exp--;
      }
      const e = ((exp % 61) + 61) % 61;
      const m = (BigInt(mant) * (1n << BigInt(e))) % P61;
      h = x < 0 ? -m : m;
    }
  }
  return h === -1n ? -2n : h;
}

/** Numbers equal as Python compares them (1 == 1.0 == True). */
function sameNumber(a: PyValue, b: PyValue): boolean {
  return real(a) === real(b) && (a.t !== 'int' || b.t !== 'int' || a.v === b.v);
}

/** Distinct numbers in first-seen order (a set or dict keeps the first of equal keys). */
function distinctNumbers(items: PyValue[]): PyValue[] {
  const out: PyValue[] = [];
  for (const it of items) {
    real(it); // a non-number would make math.radians fail
    if (!out.some((o) => sameNumber(o, it))) out.push(it);
  }
  return out;
}

/** Two set elements in CPython's iteration order (an 8-slot table, perturbed probing). */
function setOrder(a: PyValue, b: PyValue): [PyValue, PyValue] {
  const mask = 7n;
  const slotA = pyHash(a) & mask;
  const hb = pyHash(b) & U64;
  let i = hb & mask;
  let perturb = hb;
  while (i === slotA) {
    perturb >>= 5n;
    i = (i * 5n + 1n + perturb) & mask;
  }
  return i < slotA ? [b, a] : [a, b];
}

function unpackTwo(v: PyValue): [number, number] {
  let pair: PyValue[];
  if (v.t === 'list' || v.t === 'tuple') pair = v.items;
  else if (v.t === 'bytes') pair = v.v.map((x) => ({ t: 'int', v: BigInt(x) }) as PyValue);
  else if (v.t === 'dict') pair = distinctNumbers(v.keys);
  else if (v.t === 'set') {
    pair = distinctNumbers(v.items);
    if (pair.length === 2) pair = setOrder(pair[0] as PyValue, pair[1] as PyValue);
  } else if (v.t === 'str' && v.v !== null) pair = [...v.v].map((ch) => ({ t: 'str', v: ch }) as PyValue);
  else return reject();
  if (pair.length !== 2) reject();
  return [real(pair[0] as PyValue), real(pair[1] as PyValue)];
}

const LITERAL_START = /^[ \t\f\r\n]*(?:#[^\r\n]*[\r\n][ \t\f\r\n]*)*[{(]/;

/**
 * `lat, lon = ast.literal_eval(text).get('LOC')` as floats, or null where Python
 * raises (the released reward is then 0).
 */
export function readLocLiteral(text: string): [number, number] | null {
  // A dict (possibly in parentheses) after blank and comment lines, or nothing to read:
  // most completions stop here without a pass over the whole text.
  if (!LITERAL_START.test(text)) return null;
  try {
    const root = convert(new Parser(tokenize(text)).top());
    if (root.t !== 'dict') return null;
    let found: PyValue | null = null;
    root.keys.forEach((k, i) => {
      if (k.t === 'str' && k.v === null) reject(); // unknown: might be 'LOC'
      if (k.t === 'str' && k.v === 'LOC') found = root.values[i] as PyValue;
    });
    return found === null ? null : unpackTwo(found);
  } catch (e) {
    if (e instanceof Reject) return null;
    throw e;
  }
}
