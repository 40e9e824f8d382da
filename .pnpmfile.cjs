// pnpm hooks. `beforePacking` shapes the package.json of every tarball `pnpm pack` and
// `pnpm publish` (so `changeset publish`) make, without touching the files in the repository:
// - the `source` export condition goes: it points at `src/*.ts` for this workspace's own tools
//   (vitest, tsc, the demo run from source) and would break a user's `--conditions=source`;
// - `repository` (with the package's folder), `homepage` and `bugs` come from the root
//   package.json, so every package, a new one included, is published with them.
const { readdirSync, readFileSync, existsSync } = require('node:fs')
const { join } = require('node:path')

const root = JSON.parse(readFileSync(join(__dirname, 'package.json'), 'utf8'))

/** The workspace folder (`packages/redis`) holding the package named `name`. */
function folderOf(name) {
  for (const group of ['packages', 'apps']) {
    const base = join(__dirname, group)
    if (!existsSync(base)) continue
    for (const dir of readdirSync(base)) {
      const manifest = join(base, dir, 'package.json')
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name)
        return `${group}/${dir}`
    }
  }
  return undefined
}

/** An `exports` value without its `source` conditions, at any depth. */
function withoutSource(target) {
  if (Array.isArray(target)) return target.map(withoutSource)
  if (typeof target !== 'object' || target === null) return target
  const kept = {}
  for (const [key, value] of Object.entries(target)) if (key !== 'source') kept[key] = withoutSource(value)
  return kept
}

function beforePacking(pkg) {
  if (pkg.exports !== undefined) pkg.exports = withoutSource(pkg.exports)
  const directory = folderOf(pkg.name)
  if (root.repository && pkg.repository === undefined) {
    pkg.repository = { ...root.repository, ...(directory ? { directory } : {}) }
  }
  if (root.homepage && pkg.homepage === undefined) {
    pkg.homepage = directory
      ? `${root.homepage.replace(/#.*$/, '')}/tree/main/${directory}#readme`
      : root.homepage
  }
  if (root.bugs && pkg.bugs === undefined) pkg.bugs = root.bugs
  return pkg
}

module.exports = { hooks: { beforePacking } }
