/** Quoting for the bash scripts and command lines the launcher writes. */

/** `s` as one bash word: bare when it is plainly safe, else single-quoted. */
export function q(s: string): string {
  if (/^[A-Za-z0-9_./:=,+@%^-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line, one argument group per line with `\` continuations (readable in previews). */
export function commandLines(head: string[], args: (string | string[])[]): string {
  const lines = [head.join(' ')];
  for (const a of args) lines.push(`    ${Array.isArray(a) ? a.join(' ') : a}`);
  return lines.join(' \\\n');
}

/** `--name value` with the value quoted. */
export function flag(name: string, value: string | number | boolean): string[] {
  return [`--${name}`, q(String(value))];
}
