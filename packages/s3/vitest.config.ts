import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

export default mergeConfig(
  sharedProject,
  defineProject({
    test: {
      name: 's3',
      // Every store operation is a signed HTTP round trip to the in-process S3 server; the
      // conformance suite's 1,500-key volume test makes ~6,500 of them, which takes longer than
      // the shared 20 s on a loaded 2-core machine.
      testTimeout: 60_000,
    },
  }),
)
