import { describe, expect, it } from 'vitest'
import { ManualClock, MemoryBlobBackend } from '../testing'
import { BlobStore } from './blob-store'
import { MemoryStore } from './memory-store'
import { canTryGetSync, isSyncStore } from './store'
import {
  canPrune,
  hasCapability,
  missingMethod,
  STORE_CAPABILITY_METHODS,
  storeCapabilities,
} from './store-capabilities'

describe('store capability table', () => {
  it('tells what each store offers beyond the protocol', () => {
    expect(storeCapabilities(new MemoryStore({ maxEntries: 10 }))).toEqual(['sync', 'freshRead', 'prune'])
    expect(storeCapabilities(new BlobStore(new MemoryBlobBackend(), { clock: new ManualClock() }))).toEqual([
      'prune',
    ])
  })

  it('backs isSyncStore, canTryGetSync and canPrune', () => {
    const memory = new MemoryStore({ maxEntries: 10 })
    expect(isSyncStore(memory)).toBe(true)
    expect(canTryGetSync(memory)).toBe(false)
    expect(canPrune(memory)).toBe(true)
    const halfSync = { ...memory, getSync: () => undefined } as unknown as MemoryStore
    expect(hasCapability(halfSync, 'sync')).toBe(false)
  })

  it('names the first protocol method a candidate lacks', () => {
    const partial = Object.fromEntries(
      STORE_CAPABILITY_METHODS.protocol
        .filter((method) => method !== 'deleteMatching')
        .map((m) => [m, () => {}]),
    )
    expect(missingMethod(partial, 'protocol')).toBe('deleteMatching')
    expect(missingMethod(null, 'protocol')).toBe('get')
  })
})
