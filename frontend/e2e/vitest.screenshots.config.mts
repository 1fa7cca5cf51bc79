import { defineConfig } from 'vitest/config';

import base from './vitest.config.mts';

// `npm run screenshots -w frontend`: refreshes docs/screenshots/*.png; not part of `npm test`.
export default defineConfig({ ...base, test: { ...base.test, include: ['screenshots.shots.ts'] } });
