import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runTour } from '../src/tour'

describe('the demo tour (embedded defaults)', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('shows every capability it claims, and cleans up after itself', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratacache-demo-test-'))
    const lines: string[] = []
    const summary = await runTour({ dir, print: (line) => lines.push(line) })

    expect(summary.tiers).toEqual(['L1:memory', 'L2:file'])
    expect(summary.secondCallMs).toBeLessThan(summary.firstCallMs)
    expect(summary.stampedeLoaderCalls).toBe(1)
    expect(summary.staleServed).toBe(true)
    expect(summary.refreshedInBackground).toBe(true)
    expect(summary.survivedRestart).toBe(true)
    expect(summary.flagsVersions[0]).toBe(1)
    expect(summary.flagsVersions[1]).toBeGreaterThan(1)
    expect(summary.onceRan).toBe(1)
    expect(summary.onceSkipped).toBe(2)
    expect(summary.stats).toMatch(/^Layer\s+hits\s+misses\s+sets\s+hit rate/m)
    expect(summary.stats).toMatch(/^L2:file\s/m)
    expect(lines.join('\n')).toContain('500 concurrent callers → 1 loader call')
    // the file tier wrote its entries under the tour's directory
    expect((await readdir(dir)).length).toBeGreaterThan(0)
  })
})
