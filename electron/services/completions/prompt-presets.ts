/**
 * Prompt templates to start a live run from. The text of the chosen template is
 * stored with the run, so a later edit of a preset changes no past run.
 */
import type { PromptPreset } from '../../../shared/rpc/completions-methods.js';

export const promptPresets: readonly PromptPreset[] = [
  {
    id: 'geo-r-cor',
    name: 'Geo-R Chain-of-Region',
    description:
      "The Geo-R paper's prompt (figure): four levels, country to coordinates; sampling as Geo-R's GRPO rollouts (4 samples, temperature 1.0, 256 tokens).",
    system: null,
    user: [
      'You are a geographic reasoning agent. Given the photo, analyse its visual clues (landscape, vegetation, climate, architecture, roads, signs, language) and predict its location at exactly four levels:',
      '1. Country',
      '2. State / Administrative Region',
      '3. City or Place',
      '4. Coordinates (latitude, longitude)',
      '',
      'Reason inside <think> </think>, then give the answer inside <answer> </answer> in this form:',
      'Country: Japan State: Hokkaidō City: Biei Town Coordinates: (43.452002, 142.615358)',
    ].join('\n'),
    sampling: { n: 4, temperature: 1, topP: 1, maxTokens: 256 },
  },
  {
    id: 'globe',
    name: 'GLOBE',
    description:
      "GLOBE's released chain-of-thought prompt (country and city lines); sampling as its evaluation (temperature 0.1, 512 tokens).",
    system: 'You are a helpful assistant.',
    user:
      'You are a geolocation expert. You are participating in a geolocation challenge. Based on the provided image:\n' +
      '1. Carefully analyze the image for clues about its location (architecture, signage, vegetation, terrain, etc.)\n' +
      '2. Think step-by-step about what country, and city this is likely to be in and why\n\n' +
      'Your final answer include these two lines somewhere in your response:\ncountry: [country name]\ncity: [city name]\n\n' +
      'You MUST output the thinking process in <think> </think> and give answer in <answer> </answer> tags.',
    sampling: { n: 1, temperature: 0.1, topP: 1, maxTokens: 512 },
  },
];
