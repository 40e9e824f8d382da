import { describe, expect, it } from 'vitest'
import { CacheCircuitOpenError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import { MemoryBlobBackend } from '../testing/memory-blob-backend'
import { BlobStore } from './blob-store'

/** A backend whose reads fail while `down`, counting the reads that reach it. */
class DownBackend extends MemoryBlobBackend {
  down = false
  reads = 0
  override async read(...args: Parameters<MemoryBlobBackend['read']>) {
    this.reads++
    if (this.down) throw new Error('connect ECONNREFUSED')
    return super.read(...args)
  }
}

describe('BlobStore circuit breaker', () => {
  it('is on by default: after 5 failures the backend is skipped for 10 s, then one trial closes it', async () => {
    const clock = new ManualClock()
    const backend = new DownBackend()
    const store = new BlobStore(backend, { clock })
    backend.down = true
    for (let i = 0; i < 5; i++) await expect(store.get('k')).rejects.toThrow(/ECONNREFUSED/)
    expect(store.circuitState).toBe('open')
    await expect(store.get('k')).rejects.toSatisfy((error) => CacheCircuitOpenError.isInstance(error))
    expect(backend.reads).toBe(5)
    await clock.advance(10_000)
    backend.down = false
    expect(await store.get('k')).toBeUndefined()
    expect(store.circuitState).toBe('closed')
  })

  it('circuitBreaker: false calls the backend every time', async () => {
    const backend = new DownBackend()
    const store = new BlobStore(backend, { circuitBreaker: false })
    backend.down = true
    for (let i = 0; i < 8; i++) await expect(store.get('k')).rejects.toThrow(/ECONNREFUSED/)
    expect(backend.reads).toBe(8)
    expect(store.circuitState).toBe('closed')
  })
})
