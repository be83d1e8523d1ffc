import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
// Unit tests import the sources; child processes and browsers load the built packages.
const alias = Object.fromEntries(
  readdirSync(`${root}packages`)
    .filter((name) => existsSync(`${root}packages/${name}/src/index.ts`))
    .map((name) => [`@faultline/${name}`, `${root}packages/${name}/src/index.ts`]),
);

export default defineConfig({
  define: { __FAULTLINE_VERSION__: JSON.stringify('0.0.0-test'), __DEBUG_BUILD__: 'true' },
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/test/**/*.test.tsx', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
