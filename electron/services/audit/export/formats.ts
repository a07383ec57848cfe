/**
 * One exported sample in each trainer's own layout:
 * - LLaMA-Factory SFT: ShareGPT-style JSON (an array) with OpenAI-style `messages`
 *   (role/content) and `images`, one `<image>` token per image, described in
 *   dataset_info.json with formatting "sharegpt", its columns and tags (as the
 *   mllm_demo entry of LLaMA-Factory's data/README documents).
 * - VLM-R1 (Geo-R's GRPO, grpo_jsonl.py): JSONL `{id, image, conversations}` with a
 *   human turn (`<image>` + prompt) and a gpt turn holding the solution.
 * - ms-swift GRPO (GLOBE): JSONL with `messages` (the user turn; the model writes the
 *   answer), `images`, and extra columns that swift hands to reward functions as
 *   keyword arguments. `solution` is GLOBE's layout, `country<TAB>city` (its reward
 *   plug-in does `gt_country, gt_city = sol.split("\t")`, examples/train/grpo/globe/
 *   plugin.py; its dataset.py writes `f"{country}\t{city}"`), so GLOBE's own rewards run
 *   on the export; beside it the workbench's columns: `answer` (the chain as the
 *   template writes it), `lat`, `lon`, `country`, `region`, `city`.
 */
import type { ExportFormat } from '../../../../shared/rpc/audit-methods.js';

export interface SampleText {
  id: number;
  image: string;
  prompt: string;
  answer: string;
  lat: number;
  lon: number;
  country: string | null;
  region: string | null;
  city: string | null;
}

/**
 * GLOBE's `solution`: exactly one tab, so its `split("\t")` always yields two names (a
 * tab or line break inside a name becomes a space; a missing city is empty). Names are
 * kept otherwise as they are: GLOBE compares them as written.
 */
export function globeSolution(country: string | null, city: string | null): string {
  const clean = (v: string | null): string => (v ?? '').replace(/[\t\r\n]+/g, ' ');
  return `${clean(country)}\t${clean(city)}`;
}

const withImage = (prompt: string): string => (prompt.includes('<image>') ? prompt : `<image>${prompt}`);

export function sampleRecord(format: ExportFormat, s: SampleText): Record<string, unknown> {
  switch (format) {
    case 'llamafactory':
      return {
        messages: [
          { role: 'user', content: withImage(s.prompt) },
          { role: 'assistant', content: s.answer },
        ],
        images: [s.image],
      };
    case 'vlm-r1':
      return {
        id: s.id,
        image: s.image,
        conversations: [
          { from: 'human', value: withImage(s.prompt) },
          { from: 'gpt', value: s.answer },
        ],
      };
    case 'swift':
      return {
        messages: [{ role: 'user', content: withImage(s.prompt) }],
        images: [s.image],
        solution: globeSolution(s.country, s.city),
        answer: s.answer,
        lat: s.lat,
        lon: s.lon,
        country: s.country,
        region: s.region,
        city: s.city,
      };
  }
}

/** LLaMA-Factory's dataset_info.json entry for one file of the export. */
export function llamaFactoryEntry(fileName: string): Record<string, unknown> {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images' },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
  };
}

export const fileExtension = (format: ExportFormat): string => (format === 'llamafactory' ? 'json' : 'jsonl');
