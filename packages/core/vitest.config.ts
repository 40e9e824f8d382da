import { type Plugin, transformWithEsbuild } from 'vite'
import { defineProject, mergeConfig } from 'vitest/config'
import { sharedProject } from '../../vitest.shared'

/**
 * Compiles `*.legacy.test.ts` with `experimentalDecorators` (the NestJS setting), so decorators
 * are tested in both compilation modes; every other file keeps TC39 decorators (the TS 5 default).
 */
const legacyDecorators: Plugin = {
  name: 'stratacache:legacy-decorators',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('.legacy.test.ts')) return null
    return transformWithEsbuild(code, id, {
      loader: 'ts',
      target: 'es2022',
      sourcemap: true,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    })
  },
}

export default mergeConfig(
  sharedProject,
  defineProject({
    plugins: [legacyDecorators],
    test: {
      name: 'core',
      // Type tests (`*.test-d.ts`): the wrapper's inferred signatures, checked by tsc.
      typecheck: {
        enabled: true,
        include: ['src/**/*.test-d.ts'],
        tsconfig: './tsconfig.json',
        // Errors elsewhere belong to `pnpm typecheck`; this run checks the type tests.
        ignoreSourceErrors: true,
      },
    },
  }),
)
