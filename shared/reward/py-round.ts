/**
 * Python's `round(x, ndigits)` for floats: the exact binary value of `x` is rounded to
 * `ndigits` decimals, ties to even, and the result is the double nearest that decimal.
 * `Math.round(x * 10 ** n) / 10 ** n` is wrong on both counts (the product rounds, and
 * ties go up), so the rare near-tie values take an exact decimal path.
 */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = 10 ** ndigits;
  const y = x * scale;
  const ay = Math.abs(y);
  if (ay < 1e15) {
    const frac = ay - Math.floor(ay);
    // Far from a .5 tie the floating product decides correctly, and k / 10^n (both
    // exact doubles) is correctly rounded by IEEE division, as Python's result is.
    if (Math.abs(frac - 0.5) > 1e-6) {
      const k = frac < 0.5 ? Math.floor(ay) : Math.floor(ay) + 1;
      return (Math.sign(x) * k) / scale;
    }
  } else if (ay >= 2 ** 53) {
    return x; // no fractional digits at this magnitude
  }
  return exactRound(x, ndigits);
}

/** Exact path: toFixed(100) shows every decimal digit of a double near a tie. */
function exactRound(x: number, ndigits: number): number {
  const neg = x < 0;
  const s = Math.abs(x).toFixed(100);
  const dot = s.indexOf('.');
  const intPart = s.slice(0, dot);
  const frac = s.slice(dot + 1);
  const kept = frac.slice(0, ndigits);
  const next = frac.charCodeAt(ndigits) - 48;
  const rest = frac.slice(ndigits + 1);
  let k = BigInt(intPart + kept);
  const restNonZero = /[1-9]/.test(rest);
  if (next > 5 || (next === 5 && restNonZero) || (next === 5 && k % 2n === 1n)) k += 1n;
  let digits = k.toString();
  if (ndigits > 0) {
    digits = digits.padStart(ndigits + 1, '0');
    digits = `${digits.slice(0, -ndigits)}.${digits.slice(-ndigits)}`;
  }
  const v = Number(digits);
  return neg ? -v : v;
}
