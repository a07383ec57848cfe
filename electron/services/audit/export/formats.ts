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
 *   keyword arguments: `solution`, `lat`, `lon`, `country`, `region`, `city`.
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
        solution: s.answer,
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
