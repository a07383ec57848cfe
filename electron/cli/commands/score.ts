import { parseArgs } from 'node:util';
import { haversineKm } from '../../../shared/geo/haversine.js';
import { groupStatsColumnar } from '../../../shared/grpo/group-stats.js';
import { parseCompletion } from '../../../shared/parse/completion.js';
import { getPreset, presetNames } from '../../../shared/reward/presets.js';
import { scoreCompletion, type Score } from '../../../shared/reward/score.js';
import { parseRewardSpec, type RewardSpec } from '../../../shared/reward/spec.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import { idOf, InputError, readJsonl, readText, reportInputError } from '../read-lines.js';

function loadSpec(spec: string, io: CliIo): RewardSpec {
  const preset = getPreset(spec);
  if (preset) return preset;
  if (!/\.json$/i.test(spec) && !spec.includes('/') && !spec.includes('\\')) {
    throw new UsageError(`--spec: no preset named '${spec}' (presets: ${presetNames.join(', ')}; or give a .json file)`);
  }
  const text = readText(spec, io);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError([`${spec}: invalid JSON (${(err as Error).message})`]);
  }
  try {
    return parseRewardSpec(json);
  } catch (err) {
    throw new InputError([`${spec}: ${(err as Error).message}`]);
  }
}

const optString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

function checkLine(v: Record<string, unknown>): string | null {
  if (idOf(v.id) === null) return 'missing "id" (a string or number)';
  if (typeof v.text !== 'string') return 'missing "text" (a string)';
  if (v.lat === undefined) return 'missing "lat" (the true latitude)';
  if (v.lon === undefined) return 'missing "lon" (the true longitude)';
  if (typeof v.lat !== 'number' || !Number.isFinite(v.lat)) return `"lat" is not a number: ${JSON.stringify(v.lat)}`;
  if (typeof v.lon !== 'number' || !Number.isFinite(v.lon)) return `"lon" is not a number: ${JSON.stringify(v.lon)}`;
  if (Math.abs(v.lat) > 90) return `"lat" ${v.lat} is out of range [-90, 90]`;
  if (Math.abs(v.lon) > 180) return `"lon" ${v.lon} is out of range [-180, 180]`;
  if (!optString(v.country)) return '"country" (the true country) must be a string';
  if (!optString(v.city)) return '"city" (the true city) must be a string';
  return null;
}

/**
 * `georeason score --spec <file.json|preset> <in.jsonl>`: rewards per completion and
 * the GRPO numbers TRL would log. Lines with the same `id` form one group; `lat`/`lon`
 * (and for label_match, `country`/`city`) are the truth.
 */
export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score completions under a reward spec or preset, with GRPO group statistics',
  usage: `georeason score --spec <file.json|${presetNames.join('|')}> <in.jsonl>`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { spec: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (!values.spec) throw new UsageError('--spec <file.json|preset> is required');
    if (positionals.length !== 1) throw new UsageError('expected one input file');
    const file = positionals[0] as string;
    try {
      const spec = loadSpec(values.spec, io);
      const rows = readJsonl(file, io, checkLine);
      const scores: Score[] = [];
      const groups = new Map<string, number[]>();
      rows.forEach(({ value: v }, i) => {
        const text = v.text as string;
        const lat = v.lat as number;
        const lon = v.lon as number;
        const p = parseCompletion(text);
        const km = p.lat !== null && p.lon !== null ? haversineKm(p.lat, p.lon, lat, lon) : null;
        scores.push(
          scoreCompletion(spec, {
            km,
            format_ok: p.format_ok,
            country: p.country,
            city: p.city,
            text,
            truth: { country: (v.country as string | null | undefined) ?? null, city: (v.city as string | null | undefined) ?? null, lat, lon },
          }),
        );
        const key = idOf(v.id) as string;
        const g = groups.get(key);
        if (g) g.push(i);
        else groups.set(key, [i]);
      });
      // Groups in order of first appearance; the lines of a group need not be adjacent.
      const rewards = new Float64Array(rows.length);
      const offsets = new Int32Array(groups.size + 1);
      let k = 0;
      let j = 0;
      for (const members of groups.values()) {
        for (const i of members) rewards[j++] = (scores[i] as Score).reward;
        offsets[++k] = j;
      }
      const stats = groupStatsColumnar(rewards, offsets);
      const out = {
        completions: rows.map(({ value }, i) => ({ id: value.id, reward: scores[i]?.reward, components: scores[i]?.components })),
        groups: {
          count: stats.count,
          mean_reward: stats.mean_reward,
          reward_std: stats.reward_std,
          frac_reward_zero_std: stats.frac_reward_zero_std,
        },
      };
      io.stdout(`${JSON.stringify(out)}\n`);
      return 0;
    } catch (err) {
      return reportInputError(err, io);
    }
  },
};
