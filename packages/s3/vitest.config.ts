import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

export default mergeConfig(sharedProject, defineProject({ test: { name: 's3' } }))
