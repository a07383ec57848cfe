import { describe, expect, it } from 'vitest';
import { parseCompletion } from '../../shared/parse/completion.js';
import { answerRange, highlightCompletion, type Segment } from '../../renderer/src/lib/completions-highlight.js';

const marked = (segments: Segment[], mark: Segment['mark']): string[] => segments.filter((s) => s.mark === mark).map((s) => s.text);

describe('completion highlighting', () => {
  it('marks reasoning, answer, levels and the coordinate pair; the text is kept whole', () => {
    const text =
      '<think>Haussmann facades; Paris street signs. Not France-adjacent Belgium.</think>\n' +
      '<answer>Country: France State: Île-de-France City: Paris Coordinates: (48.8566, 2.3522)</answer>';
    const p = parseCompletion(text);
    const segments = highlightCompletion(text, p);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(marked(segments, 'country')).toEqual(['France']);
    expect(marked(segments, 'region')).toEqual(['Île-de-France']);
    expect(marked(segments, 'city')).toEqual(['Paris']);
    expect(marked(segments, 'coords')).toEqual(['(48.8566, 2.3522)']);
    // The level marks lie in the answer, not in the reasoning that mentions the same words.
    const answer = answerRange(text);
    let at = 0;
    for (const s of segments) {
      if (s.mark === 'country' || s.mark === 'city') expect(at).toBeGreaterThanOrEqual(answer.start);
      at += s.text.length;
    }
    expect(segments.some((s) => s.zone === 'think' && s.text.includes('Haussmann'))).toBe(true);
    expect(marked(segments, 'tag')).toEqual(['<think>', '</think>', '<answer>', '</answer>']);
  });

  it('reads a text without tags as all answer, and a bare pair from its line', () => {
    const text = 'country: Japan\ncity: Biei\nCoordinates: 43.45, 142.61';
    const segments = highlightCompletion(text, parseCompletion(text));
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(marked(segments, 'country')).toEqual(['Japan']);
    expect(marked(segments, 'coords')).toEqual(['Coordinates: 43.45, 142.61']);
    expect(segments.every((s) => s.zone === 'other')).toBe(true);
  });

  it('leaves unmatched values and empty texts alone', () => {
    expect(highlightCompletion('', { country: 'X', region: null, city: null })).toEqual([]);
    const segments = highlightCompletion('no answer here', { country: 'Peru', region: null, city: null });
    expect(segments).toEqual([{ text: 'no answer here', zone: 'other', mark: null }]);
  });
});
