import { describe, expect, it } from 'vitest'
import {
  CacheConfigError,
  CacheKeyError,
  CacheSerializationError,
  CacheStoreError,
  CacheTimeoutError,
} from '../errors'
import { describeBlobBackendConformance, flushMicrotasks, ManualClock, MemoryBlobBackend } from '../testing'
import type { BlobBackend, BlobCallOptions } from './blob-backend'
import { BlobNames } from './blob-names'
import { BlobStore } from './blob-store'
import { EntryCodec } from './codec'
import { crc32 } from './crc32'
import { createEntry } from './entry'

describeBlobBackendConformance({
  name: 'MemoryBlobBackend',
  createBackend: () => new MemoryBlobBackend({ pageSize: 7 }),
})
describeBlobBackendConformance({
  name: 'MemoryBlobBackend without metadata or range reads',
  createBackend: () =>
    new MemoryBlobBackend({ capabilities: { metadata: false, rangeReads: false }, pageSize: 7 }),
})
describeBlobBackendConformance({
  name: 'MemoryBlobBackend without conditional writes',
  createBackend: () => new MemoryBlobBackend({ capabilities: { conditionalWrites: false } }),
})

const clock = new ManualClock()
const live = (value: unknown, tags?: string[]) =>
  createEntry(value, { now: clock.now(), ttlMs: 60_000, tags })

function storeOver<B extends BlobBackend = MemoryBlobBackend>(
  backend: B = new MemoryBlobBackend() as BlobBackend as B,
  options = {},
) {
  const errors: unknown[] = []
  const store = new BlobStore(backend, {
    clock,
    prefix: 'ns/',
    onError: (error) => errors.push(error),
    ...options,
  })
  return { store, errors, backend }
}

/** A backend whose calls never settle until released, recording the signals it was given. */
class HangingBackend extends MemoryBlobBackend {
  readonly signals: AbortSignal[] = []
  override read(_name: string, options: BlobCallOptions = {}) {
    if (options.signal) this.signals.push(options.signal)
    return new Promise<undefined>(() => {})
  }
}

/** A backend whose reads settle only when their signal aborts, as the SDKs' requests do. */
class AbortableBackend extends MemoryBlobBackend {
  readonly signals: AbortSignal[] = []
  override read(_name: string, options: BlobCallOptions = {}) {
    const signal = options.signal as AbortSignal
    this.signals.push(signal)
    return new Promise<undefined>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason)),
    )
  }
}

describe('BlobStore', () => {
  it('names objects below its prefix, the key readable in the name', async () => {
    const { store, backend } = storeOver()
    await store.set('user:42', live('u'))
    expect([...backend.objects.keys()]).toEqual(['ns/user~3a42'])
  })

  it('lists only the names a glob literal prefix can match', async () => {
    const backend = new MemoryBlobBackend()
    const listed: string[] = []
    const list = backend.list.bind(backend)
    backend.list = (prefix, cursor, options) => {
      listed.push(prefix)
      return list(prefix, cursor, options)
    }
    const { store } = storeOver(backend)
    await store.setMany([
      ['user:1', live(1)],
      ['post:1', live(2)],
    ])
    expect(await store.deleteMatching('user:*')).toBe(1)
    expect(listed).toEqual(['ns/user~3a'])
    expect((await store.get('post:1'))?.value).toBe(2)
  })

  it('matches long keys by the key carried in their entry', async () => {
    const { store, backend } = storeOver()
    const long = `long:${'x'.repeat(5000)}`
    await store.set(long, live('big key'))
    const [name] = [...backend.objects.keys()]
    expect(name?.length).toBeLessThanOrEqual(1024)
    expect(await store.deleteMatching('long:x*x')).toBe(1)
    expect(await store.get(long)).toBeUndefined()
  })

  it('never touches objects under its prefix that it did not name', async () => {
    const { store, backend } = storeOver()
    backend.put('ns/Foreign.txt', new Uint8Array([1]))
    backend.put('ns/sub/dir', new Uint8Array([2]))
    await store.set('k', live(1))
    await store.clear()
    expect(await store.prune()).toBe(0)
    expect([...backend.objects.keys()].sort()).toEqual(['ns/Foreign.txt', 'ns/sub/dir'])
  })

  it('reads entries of format version 1 (without key section)', async () => {
    const { store, backend } = storeOver()
    backend.put('ns/old', await new EntryCodec().encode(live('v1'), 'old'))
    expect((await store.get('old'))?.value).toBe('v1')
    expect(await store.deleteMatching('o*')).toBe(1)
  })

  it('misses the bytes of another key copied under a name, reporting them', async () => {
    const { store, backend, errors } = storeOver()
    backend.put('ns/a', await new EntryCodec().encode(live('of b'), 'b', { embedKey: true }))
    expect(await store.get('a')).toBeUndefined()
    expect(CacheSerializationError.isInstance(errors[0])).toBe(true)
    expect(backend.objects.has('ns/a')).toBe(false)
  })

  it('reports a corrupt entry to onError and removes it', async () => {
    const { store, backend, errors } = storeOver()
    backend.put('ns/k', new Uint8Array([0xf5, 0x43, 1, 2, 3]))
    expect(await store.get('k')).toBeUndefined()
    expect(errors).toHaveLength(1)
    expect(backend.objects.size).toBe(0)
  })

  it('get reads compressed entries (decoded asynchronously), and misses dead or corrupt compressed ones', async () => {
    const { store, backend, errors } = storeOver(new MemoryBlobBackend(), { compress: { minBytes: 0 } })
    const big = 'stratacache '.repeat(200)
    await store.set('big', live(big))
    expect(backend.objects.get('ns/big')?.bytes[4]).toBe(1) // gzip
    expect((await store.get('big'))?.value).toBe(big)
    const dead = createEntry(big, { now: clock.now() - 120_000, ttlMs: 60_000 })
    backend.put(
      'ns/dead',
      await new EntryCodec({ compress: { minBytes: 0 } }).encode(dead, 'dead', { embedKey: true }),
    )
    expect(await store.get('dead')).toBeUndefined()
    expect(backend.objects.has('ns/dead')).toBe(false)
    expect(errors).toEqual([])
    // A gzip payload that is garbage behind a valid checksum: only decompression finds it out.
    const garbled = backend.objects.get('ns/big')!.bytes.slice()
    garbled.fill(0x55, 60, 80)
    const end = garbled.length - 4
    new DataView(garbled.buffer).setUint32(end, crc32(garbled, 0, end))
    backend.put('ns/big', garbled)
    expect(await store.get('big')).toBeUndefined()
    expect(errors).toHaveLength(1)
    expect(CacheSerializationError.isInstance(errors[0])).toBe(true)
    expect(backend.objects.has('ns/big')).toBe(false)
  })

  it('get wraps a backend read that throws synchronously, and drops a reply that comes after its timeout', async () => {
    const backend = new MemoryBlobBackend()
    const { store } = storeOver(backend, { operationTimeout: '200ms' })
    await store.set('k', live('v'))
    backend.read = () => {
      throw new Error('not even a promise')
    }
    const thrown = await store.get('k').catch((error: unknown) => error)
    expect(CacheStoreError.isInstance(thrown)).toBe(true)
    expect(thrown).toMatchObject({ operation: 'get', key: 'k' })
    let answer: (value: undefined) => void = () => {}
    backend.read = () => new Promise((resolve) => (answer = resolve))
    const late = store.get('k').then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    await flushMicrotasks()
    await clock.advance(250)
    answer(undefined)
    await flushMicrotasks()
    const outcome = await late
    expect('error' in outcome && CacheTimeoutError.isInstance(outcome.error)).toBe(true)
  })

  it('prunes dead and corrupt entries, keeping live ones', async () => {
    const { store, backend, errors } = storeOver(new MemoryBlobBackend({ pageSize: 2 }))
    await store.set('live', live(1))
    await store.set('dying', createEntry(2, { now: clock.now(), ttlMs: 10 }))
    backend.put('ns/corrupt', new Uint8Array(40))
    await clock.advance(10)
    expect(await store.prune()).toBe(2)
    expect([...backend.objects.keys()]).toEqual(['ns/live'])
    expect(errors).toHaveLength(1)
  })

  it('prunes every pruneInterval until closed', async () => {
    const { store, backend } = storeOver(new MemoryBlobBackend(), { pruneInterval: '1m' })
    await store.set('dying', createEntry(2, { now: clock.now(), ttlMs: 10 }))
    await clock.advance(60_000)
    await flushMicrotasks()
    expect(backend.objects.size).toBe(0)
    await store.close()
  })

  it('bounds each backend call by operationTimeout and aborts its signal', async () => {
    const backend = new HangingBackend()
    const { store } = storeOver(backend, { operationTimeout: '200ms' })
    const pending = store.get('k').catch((error: unknown) => error)
    await flushMicrotasks()
    await clock.advance(200)
    const error = await pending
    expect(CacheTimeoutError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ store: 'memory-blob', operation: 'get', key: 'k' })
    expect(backend.signals[0]?.aborted).toBe(true)
  })

  it('close() waits for 50 calls in flight up to operationTimeout, then aborts them, without a listener per call on a shared signal', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const backend = new AbortableBackend()
      const { store } = storeOver(backend, { operationTimeout: '1s', circuitBreaker: false })
      const pending = Array.from({ length: 50 }, (_, i) =>
        store.get(`k${i}`).catch((error: unknown) => error),
      )
      await flushMicrotasks()
      expect(backend.signals).toHaveLength(50)
      let closed = false
      const closing = store.close().then(() => {
        closed = true
      })
      const again = store.close()
      await flushMicrotasks()
      expect(closed).toBe(false)
      expect(backend.signals.some((signal) => signal.aborted)).toBe(false)
      await clock.advance(1250)
      await Promise.all([closing, again])
      expect(backend.signals.every((signal) => signal.aborted)).toBe(true)
      for (const error of await Promise.all(pending)) expect(CacheTimeoutError.isInstance(error)).toBe(true)
      await new Promise((resolve) => setImmediate(resolve)) // warnings are emitted on the next tick
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('close() aborts the calls in flight at once when calls are not bounded (operationTimeout: Infinity)', async () => {
    const backend = new AbortableBackend()
    const { store } = storeOver(backend, {
      operationTimeout: Number.POSITIVE_INFINITY,
      circuitBreaker: false,
    })
    const pending = store.get('k').catch((error: unknown) => error)
    await flushMicrotasks()
    await store.close()
    expect(backend.signals[0]?.aborted).toBe(true)
    expect(CacheStoreError.isInstance(await pending)).toBe(true)
  })

  it('close() lets a write in flight land before it closes the backend', async () => {
    const backend = new MemoryBlobBackend()
    const write = backend.write.bind(backend)
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    backend.write = async (...args) => {
      await held
      return write(...args)
    }
    let backendClosed = false
    const closable: BlobBackend = backend
    closable.close = async () => {
      backendClosed = true
    }
    const { store } = storeOver(backend)
    const writing = store.set('k', live('v'))
    await flushMicrotasks()
    const closing = store.close()
    await flushMicrotasks()
    expect(backendClosed).toBe(false)
    release()
    await Promise.all([writing, closing])
    expect(backendClosed).toBe(true)
    expect([...backend.objects.keys()]).toEqual(['ns/k'])
  })

  it('wraps backend failures in CacheStoreError naming store, operation and key', async () => {
    const backend = new MemoryBlobBackend()
    backend.write = async () => {
      throw new Error('disk on fire')
    }
    const { store } = storeOver(backend)
    const error = await store.set('k', live(1)).catch((caught: unknown) => caught)
    expect(CacheStoreError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ store: 'memory-blob', operation: 'set', key: 'k' })
    expect((error as Error).message).toContain('disk on fire')
  })

  it('refuses keys holding a lone surrogate with CacheKeyError', async () => {
    const { store } = storeOver()
    for (const call of [
      () => store.set('q:\uD800', live(1)),
      () => store.get('q:\uDC00'),
      () => store.deleteMatching('\uD800*'),
    ]) {
      expect(CacheKeyError.isInstance(await call().catch((error: unknown) => error))).toBe(true)
    }
  })

  it('rejects unknown options and bad prefixes naming the option', () => {
    const backend = new MemoryBlobBackend()
    expect(() => new BlobStore(backend, { prefx: 'a/' } as never)).toThrow(/unknown option "prefx"/)
    for (const prefix of ['a', '../', 'a//', 'a/./']) {
      const error = (() => {
        try {
          new BlobStore(backend, { prefix })
        } catch (caught) {
          return caught
        }
      })()
      expect(CacheConfigError.isInstance(error) && error.option).toBe('prefix')
    }
  })
})

describe('BlobNames', () => {
  const names = new BlobNames('p/')

  it('maps keys to safe names and back', () => {
    for (const key of ['a', 'A', 'user:1', '', '..', 'ключ 🔑', 'a/b', 'é'.repeat(100)]) {
      const name = names.nameOf(key)
      expect(name).toMatch(/^p\/[a-z0-9_~/-]+$/)
      expect(
        name.split('/').every((segment) => segment.length <= 200 && segment !== '.' && segment !== '..'),
      ).toBe(true)
      expect(names.keyOf(name)).toBe(key)
    }
    expect(names.nameOf('A')).not.toBe(names.nameOf('a'))
  })

  it('names long keys within 1,024 bytes, distinct, listable by their literal prefix', () => {
    const a = `k:${'🔑'.repeat(3000)}a`
    const b = `k:${'🔑'.repeat(3000)}b`
    for (const key of [a, b]) {
      const name = names.nameOf(key)
      expect(name.length).toBeLessThanOrEqual(1024)
      expect(names.keyOf(name)).toBeNull()
      expect(name.startsWith(names.listPrefix('k:🔑🔑'))).toBe(true)
      expect(name.startsWith(names.listPrefix(key.slice(0, 2000)))).toBe(true)
    }
    expect(names.nameOf(a)).not.toBe(names.nameOf(b))
  })

  it('the name of a key starts with the list prefix of each of its prefixes', () => {
    const key = `${'x'.repeat(199)}:${'y'.repeat(900)}`
    for (let end = 0; end <= key.length; end += 37) {
      expect(names.nameOf(key).startsWith(names.listPrefix(key.slice(0, end)))).toBe(true)
    }
  })

  it('recognises no foreign name', () => {
    for (const name of ['p/A', 'p/a/b', 'p/~zz', 'p/', 'p/~/a', 'q/a', 'p/a~~00'])
      expect(names.keyOf(name)).toBeUndefined()
  })
})
