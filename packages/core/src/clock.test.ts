import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { systemClock } from './clock'

const clockModule = fileURLToPath(new URL('./clock.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** Runs a child Node process that schedules one systemClock timer and nothing else. */
function runChild(options: string): string {
  const script = `import { systemClock } from ${JSON.stringify(clockModule)}
systemClock.setTimeout(() => console.log('fired'), 50${options})`
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    timeout: 15_000,
  })
}

describe('systemClock', () => {
  it('fires timers and clears them', async () => {
    const fired: string[] = []
    systemClock.setTimeout(() => fired.push('a'), 1)
    const cleared = systemClock.setTimeout(() => fired.push('b'), 1)
    systemClock.clearTimeout(cleared)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fired).toEqual(['a'])
  })

  it('does not keep the process alive by default', () => {
    expect(runChild('')).toBe('')
  })

  it('keeps the process alive with keepAlive, until the timer fires', () => {
    expect(runChild(', { keepAlive: true }')).toBe('fired\n')
  })
})
