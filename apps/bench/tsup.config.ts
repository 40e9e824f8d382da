import { defineConfig } from 'tsup'

/**
 * The benchmark runs compiled, as users run stratacache: the workspace packages are bundled from
 * their sources by the same esbuild settings their published build uses (ES2022, no `keepNames`),
 * and the peers are loaded from their own published files. Running through tsx instead would add
 * esbuild's `keepNames` helper (`__name`, an `Object.defineProperty` on every closure created) to
 * stratacache's hot paths and to the bench's own closures, which the published code does not pay.
 */
export default defineConfig({
  entry: { main: 'src/main.ts', profile: 'src/profile.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  silent: true,
  noExternal: [/^@stratacache\//],
  esbuildOptions(options) {
    options.conditions = ['source']
  },
})
