import { defineConfig, type Options } from 'tsup'

/**
 * The build every published package shares: ESM + CJS + `.d.ts` from `src/index.ts`, with
 * sourcemaps, for ES2022. A package passes only what differs (more entries, externals).
 *
 * `__STRATACACHE_CJS__` is `true` in the CommonJS build and `false` in the ESM one, so code can
 * pick the module system of its own build (core loads adapters with `require` from CommonJS).
 */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    esbuildOptions(options, { format }) {
      options.define = { ...options.define, __STRATACACHE_CJS__: String(format === 'cjs') }
    },
    ...overrides,
  })
}
