import { defineConfig } from 'vitest/config';

// Unit and integration tests across the workspace. Packages resolve each other's TypeScript
// sources through the custom `source` export condition, so no build is needed before testing.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'models/pipeline/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
