/** A place name folded for matching: accents stripped, lower case, trimmed. */
export function fold(value: string | null | undefined): string {
  return (value ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}
