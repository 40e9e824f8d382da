import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

// Every test talks HTTP to a real (emulated) GCS in-process; the conformance suite's 1,500-key
// volume test sends about 6,000 requests, which takes longer than the shared 20 s on a busy machine.
export default mergeConfig(sharedProject, defineProject({ test: { name: 'gcs', testTimeout: 120_000 } }))
