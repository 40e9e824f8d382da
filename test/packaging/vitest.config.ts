import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

/**
 * What users install: every publishable package built, packed with `pnpm pack` and installed from
 * its tarball into fresh applications outside the workspace (see `global-setup.ts`).
 */
export default mergeConfig(
  sharedProject,
  defineProject({
    test: {
      name: 'packaging',
      include: ['*.test.ts'],
      globalSetup: ['./global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  }),
)
