import { parseArgs } from 'node:util';
import { parseCompletion } from '../../../shared/parse/completion.js';
import { UsageError, type CliCommand } from '../command.js';
import { readJsonl, reportInputError } from '../read-lines.js';

/** `georeason parse <in.jsonl>`: each line's `text` read into chain and coordinates. */
export const parseCommand: CliCommand = {
  name: 'parse',
  summary: 'parse completions (JSONL with a "text" field) into country/region/city/lat/lon/format_ok',
  usage: 'georeason parse <in.jsonl>',
  async run(args, io) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new UsageError('expected one input file');
    const file = positionals[0] as string;
    try {
      const rows = readJsonl(file, io, (v) => (typeof v.text === 'string' ? null : 'missing "text" (a string)'));
      // Everything was validated above: only now is anything written.
      let out = '';
      for (const { value } of rows) {
        const p = parseCompletion(value.text as string);
        out += `${JSON.stringify({
          ...value,
          country: p.country,
          region: p.region,
          city: p.city,
          lat: p.lat,
          lon: p.lon,
          format_ok: p.format_ok,
          reasoning: p.reasoning,
        })}\n`;
      }
      io.stdout(out);
      return 0;
    } catch (err) {
      return reportInputError(err, io);
    }
  },
};
