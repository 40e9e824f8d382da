import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { publishablePackages } from './workspace-packages'

// What `pnpm publish` would upload, package by package: the files, the manifest, the README.

const unpacked = mkdtempSync(join(tmpdir(), 'stratacache-unpacked-'))
afterAll(() => rmSync(unpacked, { recursive: true, force: true }))

function unpack(name: string): { dir: string; files: string[]; manifest: Record<string, any> } {
  const dir = join(unpacked, name.replace(/[@/]/g, '_'))
  execFileSync('mkdir', ['-p', dir])
  execFileSync('tar', ['-xzf', inject('tarballs')[name]!, '-C', dir])
  const files = execFileSync('tar', ['-tzf', inject('tarballs')[name]!], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => file.replace(/^package\//, ''))
  const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'))
  return { dir: join(dir, 'package'), files, manifest }
}

/** Every string target of an `exports` map, and every condition name on the way. */
function exportEntries(target: unknown, conditions: string[] = [], files: string[] = []) {
  if (typeof target === 'string') files.push(target)
  else if (typeof target === 'object' && target !== null) {
    for (const [key, value] of Object.entries(target)) {
      if (!key.startsWith('.')) conditions.push(key)
      exportEntries(value, conditions, files)
    }
  }
  return { conditions, files }
}

describe.each(publishablePackages().map((pkg) => pkg.name))('the tarball of %s', (name) => {
  const { dir, files, manifest } = unpack(name)

  it('holds the builds, the README and the LICENSE, and no tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
    ]) {
      expect(files, `${name} lacks ${file}`).toContain(file)
    }
    expect(files.filter((file) => /\.test(-d)?\.ts$|^test\//.test(file))).toEqual([])
  })

  it('publishes a manifest without the source condition, every export present', () => {
    const { conditions, files: targets } = exportEntries(manifest.exports)
    expect(conditions, `${name}'s exports keep a "source" condition`).not.toContain('source')
    expect(
      targets.filter(
        (target) => target.endsWith('.ts') && !target.endsWith('.d.ts') && !target.endsWith('.d.cts'),
      ),
    ).toEqual([])
    for (const target of targets)
      expect(existsSync(join(dir, target)), `${name} exports ${target}, missing`).toBe(true)
    expect(manifest.exports['./package.json']).toBe('./package.json')
  })

  it('names its repository, homepage, bug tracker and license, and pins no workspace: ranges', () => {
    expect(manifest.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) })
    expect(manifest.repository.directory).toMatch(/^packages\//)
    expect(manifest.homepage).toMatch(/^https:\/\//)
    expect(manifest.bugs?.url).toMatch(/^https:\/\//)
    expect(manifest.license).toBe('MIT')
    const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.values((manifest[field] ?? {}) as Record<string, string>),
    )
    expect(ranges.filter((range) => range.startsWith('workspace:'))).toEqual([])
  })

  it('declares no optional peer (npm reports a missing one as UNMET OPTIONAL DEPENDENCY)', () => {
    const optional = Object.entries(
      (manifest.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>,
    )
      .filter(([, meta]) => meta.optional)
      .map(([peer]) => peer)
    expect(optional).toEqual([])
  })

  it('builds classes under their own names (a bundler-renamed `_RedisStore` shows in errors and logs)', () => {
    const renamed = files
      .filter((file) => /^dist\/.*\.c?js$/.test(file))
      .flatMap((file) =>
        [...readFileSync(join(dir, file), 'utf8').matchAll(/\bclass (_[A-Z]\w*)/g)].map(
          (m) => `${file}: ${m[1]}`,
        ),
      )
    expect(renamed).toEqual([])
  })

  it('links its README only to absolute URLs (relative links break on the registry)', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)\s]+)[^)]*\)/g)].map((match) => match[1]!)
    expect(links.filter((link) => !/^(https?:|mailto:|#)/.test(link))).toEqual([])
  })
})
