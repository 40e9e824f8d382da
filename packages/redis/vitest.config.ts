import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

export default mergeConfig(
  sharedProject,
  defineProject({
    test: {
      name: 'redis',
      // Real servers, started once per run (section 5 of DESIGN.md); a missing binary fails the run.
      globalSetup: ['./test/support/global-setup.ts'],
    },
  }),
)
