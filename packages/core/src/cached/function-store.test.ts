import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { MemoryStore } from '../store/memory-store'

describe("cache()'s own store when none is given", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('is an unbounded MemoryStore per function, announced by one warning per process', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const chosen = createCache({ store: new MemoryStore({ maxEntries: 10 }), ttl: 60 })
    await chosen.cache({ key: 'a' })(async () => 1)()
    expect(warn).not.toHaveBeenCalled()

    const { cache } = createCache({ ttl: 60 })
    const first = cache({ key: 'a:{0}' })(async (n: number) => n)
    const second = cache({ key: 'b:{0}' })(async (n: number) => n)
    await first(1)
    await second(1)
    expect(first.store).toBeInstanceOf(MemoryStore)
    expect(first.store).not.toBe(second.store)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/unbounded MemoryStore.*maxEntries/)
  })
})
