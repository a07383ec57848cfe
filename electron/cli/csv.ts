/**
 * A small RFC 4180 CSV reader: quoted fields with `""` escapes, commas and newlines
 * inside quotes, CRLF or LF line ends, a leading BOM. Each record keeps the line it
 * starts on so errors can say `file:line`.
 */

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** All records, header included; blank lines are skipped. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    // One record.
    for (;;) {
      if (text[i] === '"') {
        // Quoted field: runs to the closing quote; "" is a literal quote.
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'unterminated quoted field');
          const ch = text[i] as string;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        // After the closing quote only a delimiter or a line end may follow.
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvSyntaxError(line, `unexpected character after a closing quote: ${JSON.stringify(text[i])}`);
        }
      } else {
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') field += text[i++] as string;
      }
      fields.push(field);
      field = '';
      if (i >= n) break;
      const ch = text[i];
      if (ch === delimiter) {
        i++;
        continue;
      }
      // \r\n, \n or a lone \r ends the record.
      if (ch === '\r' && text[i + 1] === '\n') i += 2;
      else i++;
      line++;
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
