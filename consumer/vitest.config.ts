import { defineConfig } from 'vitest/config';

// Consumer tests: the packed tarballs installed with npm into folders outside the workspace (`npm test` runs them
// after the build; `pnpm test:consumer` alone). One file at a time: they install, build and start browsers.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['consumer/**/*.test.ts'],
    globalSetup: ['consumer/setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
