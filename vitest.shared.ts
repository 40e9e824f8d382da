import { defineProject } from 'vitest/config'

/**
 * The settings every workspace project shares: tests import workspace packages through their
 * `source` export condition, so they run against `src/` without a build.
 */
export const sharedProject = defineProject({
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'node', 'import', 'default'], externalConditions: ['source'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: [new URL('./vitest.setup.ts', import.meta.url).pathname],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
