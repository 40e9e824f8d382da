import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

/** The documentation's examples, type-checked and run (`scripts/check-docs.mjs`). */
export default mergeConfig(
  sharedProject,
  defineProject({ test: { name: 'docs', include: ['*.test.ts'], testTimeout: 300_000 } }),
)
