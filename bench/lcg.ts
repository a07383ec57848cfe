/**
 * The benchmarks' seeded generator: the Numerical Recipes linear congruential
 * generator mod 2^32, so a benchmark builds the same data on every run.
 */
export function lcgRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}
