import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end files each start a server host and a Chromium: run files one at a
    // time on CI's two cores so they do not starve each other.
    fileParallelism: process.env.CI ? false : true,
    reporters: ['default'],
  },
});
