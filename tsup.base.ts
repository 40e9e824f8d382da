import { defineConfig, type Options } from 'tsup'

/**
 * The build every published package shares: ESM + CJS + `.d.ts` from `src/index.ts`, with
 * sourcemaps, for ES2022. A package passes only what differs (more entries, externals).
 */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    ...overrides,
  })
}
