import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

// scripts/setup.sh on a clean PATH (no redis-server, no chromium, no pnpm): a folder holding only
// the few tools the script uses, plus, where a test says so, a stand-in apt-get.

const script = fileURLToPath(new URL('../../scripts/setup.sh', import.meta.url))
const TOOLS = ['bash', 'id', 'chmod', 'rm', 'printf']
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A PATH folder with the basic tools and, optionally, executables written from `scripts`. */
function cleanPath(scripts: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'setup-path-'))
  chmodSync(dir, 0o755)
  dirs.push(dir)
  for (const tool of TOOLS) symlinkSync(`/usr/bin/${tool}`, join(dir, tool))
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`)
    chmodSync(join(dir, name), 0o755)
  }
  return dir
}

/** Runs a copy of the script (readable by anyone) with only `path` on PATH, as root or as nobody. */
function setup(path: string, asUser?: 'nobody') {
  const copy = join(path, 'setup.sh')
  writeFileSync(copy, readFileSync(script))
  chmodSync(copy, 0o755)
  const [command, args] = asUser
    ? ['/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/bash', copy]]
    : ['/usr/bin/bash', [copy]]
  return spawnSync(command, args, { env: { PATH: path }, encoding: 'utf8', timeout: 10_000 })
}

describe('scripts/setup.sh', () => {
  it('stops at once without root, printing the exact command', () => {
    const path = cleanPath({ 'apt-get': 'echo "must not run" >&2; exit 3' })
    const result = setup(path, 'nobody')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('sudo apt-get update && sudo apt-get install -y redis-server chromium')
    expect(result.stderr).not.toContain('must not run')
  })

  it('installs what is missing as root with apt-get, and checks the binaries arrived', () => {
    const bin = cleanPath()
    const log = join(bin, 'apt.log')
    // The stand-in "installs" by putting the packages' binaries on PATH.
    const aptGet = `echo "$*" >> ${log}
if [ "$1" = install ]; then for b in redis-server redis-cli chromium; do printf '#!/bin/bash\\n' > ${bin}/$b; chmod +x ${bin}/$b; done; fi`
    writeFileSync(join(bin, 'apt-get'), `#!/bin/bash\n${aptGet}\n`)
    chmodSync(join(bin, 'apt-get'), 0o755)
    const result = setup(bin)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('setup: installing redis-server chromium')
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'update -qq',
      'install -y -qq redis-server chromium',
    ])
    expect(setup(bin).stdout).toBe('') // the second run finds everything
  })

  it('fails when apt-get ran but a binary is still missing', () => {
    const path = cleanPath({ 'apt-get': 'exit 0' })
    const result = setup(path)
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/still not on PATH/)
  })

  it('does nothing when everything is there', () => {
    const path = cleanPath({ 'redis-server': '', 'redis-cli': '', chromium: '' })
    expect(setup(path)).toMatchObject({ status: 0, stdout: '', stderr: '' })
  })
})
