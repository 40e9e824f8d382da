import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

/** `scripts/setup.sh` on a machine that lacks what the tests need. */
export default mergeConfig(sharedProject, defineProject({ test: { name: 'setup', include: ['*.test.ts'] } }))
