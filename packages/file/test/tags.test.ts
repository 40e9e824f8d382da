// invalidateTags over FileStore: two instances (as two processes would) on one directory.
import { createCache } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore } from '../src/file-store'
import { scratchDir } from './helpers'

let root: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('tags'))
})

afterEach(async () => {
  await cleanup()
})

describe('tags over FileStore', () => {
  it('an invalidation by one instance is seen by the other; a later write hits again', async () => {
    const clock = new ManualClock()
    const open = () =>
      createCache({ store: new FileStore({ dir: root, clock }), prefix: 'app', ttl: 60, clock })
    const a = open()
    const b = open()
    await a.set('report', { rows: 1 }, { tags: ['reports'] })
    await a.set('other', 'x', { tags: ['users'] })
    expect(await b.get('report')).toEqual({ rows: 1 })
    await b.invalidateTags(['reports'])
    expect(await a.get('report')).toBeUndefined()
    expect(await a.get('other')).toBe('x')
    await clock.advance(1)
    await b.set('report', { rows: 2 }, { tags: ['reports'] })
    expect(await a.get('report')).toEqual({ rows: 2 })
  })
})
