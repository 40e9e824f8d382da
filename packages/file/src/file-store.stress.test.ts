import { join } from 'node:path'
import { ManualClock } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { entryAt, listTree, scratchDir } from '../test/helpers'
import { FileStore } from './file-store'

let root: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('stress'))
})
afterEach(async () => {
  await cleanup()
})

/** A deterministic pseudo-random sequence. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}

describe('FileStore under concurrent mixed operations', () => {
  it('two stores on one directory never fail, never serve a foreign value, leave no temporary files', async () => {
    const clock = new ManualClock()
    const errors: unknown[] = []
    const dir = join(root, 'cache')
    const options = { dir, clock, maxBytes: 60_000, onError: (error: unknown) => errors.push(error) }
    const stores = [new FileStore(options), new FileStore(options)]
    const next = random(7)
    const keys = Array.from({ length: 12 }, (_, i) => `key:${i}`)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
    const operations: Promise<unknown>[] = []
    for (let i = 0; i < 600; i++) {
      const store = pick(stores)
      const key = pick(keys)
      const roll = next()
      const value = { key, body: 'x'.repeat(Math.floor(next() * 4000)) }
      if (roll < 0.3) operations.push(store.set(key, entryAt(value, clock.now(), 50)))
      else if (roll < 0.55) {
        operations.push(
          store.get(key).then((found) => {
            if (found !== undefined) expect((found.value as { key: string }).key).toBe(key)
          }),
        )
      } else if (roll < 0.65) operations.push(store.setIfAbsent(key, entryAt(value, clock.now(), 50)))
      else if (roll < 0.75) operations.push(store.delete(key))
      else if (roll < 0.8) operations.push(store.has(key))
      else if (roll < 0.85) operations.push(store.deleteMatching('key:1*'))
      else if (roll < 0.88) operations.push(store.clear())
      else if (roll < 0.92) operations.push(store.prune())
      else operations.push(clock.advance(10))
      if (i % 50 === 0) await Promise.all(operations.splice(0))
    }
    await Promise.all(operations)
    expect(errors).toEqual([])
    await Promise.all(stores.map((store) => store.prune()))
    const leftovers = (await listTree(dir)).filter((path) => /\.(tmp|lock)$/.test(path))
    expect(leftovers).toEqual([])
    for (const store of stores) await store.close()
  })
})
