import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

// Browser tests: the built backend serving the built app, driven in real Chromium. Run by
// `npm test` after the unit tests; Nx builds both apps first.
export default defineConfig({
  resolve: {
    alias: { '@clinic/contracts': fileURLToPath(new URL('../../contracts/index.ts', import.meta.url)) },
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.e2e.ts'],
    environment: 'node',
    globals: false,
    // One backend and one browser at a time: the machines have two cores.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
