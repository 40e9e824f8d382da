import { afterEach, describe, expect, it } from 'vitest'
import type { BlobBackend } from '../store/blob-backend'
import { BlobNames } from '../store/blob-names'
import { BlobStore } from '../store/blob-store'
import type { BlobStoreOptions } from '../store/blob-store-options'
import type { CacheStore } from '../store/store'
import { describeStoreConformance, type StoreCapabilities } from './store-conformance'

/** Options of {@link describeBlobBackendConformance}. */
export interface BlobBackendConformanceOptions {
  /** Shown in the test names, e.g. `'S3'`. */
  name: string
  /**
   * Opens a backend for one test (or one store of a test). Backends opened for one run share
   * their storage (one bucket, one directory): the suite keeps each test under its own prefix.
   */
  createBackend: () => BlobBackend | Promise<BlobBackend>
  /**
   * More options for the `BlobStore`s the store conformance suite builds over the backend
   * (`prefix` and `clock` are the suite's).
   * @defaultValue `{}`
   */
  storeOptions?: Omit<BlobStoreOptions, 'prefix' | 'clock'>
}

const bytesOf = (text: string) => new TextEncoder().encode(text)
const textOf = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes)

/**
 * Registers the conformance suite of a {@link BlobBackend}: the backend's own contract (reads,
 * range reads, conditional writes, batched deletes, paged listing, 1,024-byte names), then the
 * whole store conformance suite over a `BlobStore` on it. A new backend's test file is three lines.
 *
 * @example
 * ```ts
 * import { describeBlobBackendConformance, MemoryBlobBackend } from '@stratacache/core/testing'
 *
 * describeBlobBackendConformance({ name: 'memory', createBackend: () => new MemoryBlobBackend() })
 * ```
 */
export function describeBlobBackendConformance(options: BlobBackendConformanceOptions): void {
  const { name, createBackend } = options
  const runId = Math.random().toString(36).slice(2, 8)
  let seq = 0
  let opened: BlobBackend[] = []

  async function open(): Promise<{ backend: BlobBackend; prefix: string }> {
    const backend = await createBackend()
    opened.push(backend)
    return { backend, prefix: `backend-${runId}-${++seq}/` }
  }

  async function listAll(backend: BlobBackend, prefix: string): Promise<string[]> {
    const names: string[] = []
    let cursor: string | undefined
    do {
      const page = await backend.list(prefix, cursor)
      names.push(...page.objects.map((info) => info.name))
      cursor = page.cursor
    } while (cursor !== undefined)
    return names.sort()
  }

  describe(`${name}: blob backend conformance`, () => {
    afterEach(async () => {
      const backends = opened
      opened = []
      for (const backend of backends) await backend.close?.()
    })

    it('reads what it wrote, whole or its first bytes; misses what is absent', async () => {
      const { backend, prefix } = await open()
      expect(await backend.read(`${prefix}absent`)).toBeUndefined()
      expect(await backend.head(`${prefix}absent`)).toBeUndefined()
      expect(await backend.write(`${prefix}a`, bytesOf('hello world'))).toBe(true)
      expect(textOf((await backend.read(`${prefix}a`))?.bytes)).toBe('hello world')
      const head = (await backend.read(`${prefix}a`, { maxBytes: 5 }))?.bytes
      expect(textOf(head)?.startsWith('hello')).toBe(true)
      if (backend.capabilities.rangeReads) expect(textOf(head)).toBe('hello')
      expect(await backend.head(`${prefix}a`)).toMatchObject({ name: `${prefix}a` })
      expect(await backend.write(`${prefix}empty`, new Uint8Array(0))).toBe(true)
      expect((await backend.read(`${prefix}empty`))?.bytes.length).toBe(0)
    })

    it('replaces an object whole', async () => {
      const { backend, prefix } = await open()
      await backend.write(`${prefix}a`, bytesOf('first, longer'))
      await backend.write(`${prefix}a`, bytesOf('second'))
      expect(textOf((await backend.read(`${prefix}a`))?.bytes)).toBe('second')
    })

    it('keeps names of 1,024 bytes with 200-byte segments, and keeps metadata when it says so', async () => {
      const { backend, prefix } = await open()
      const segment = `${'a~0'.repeat(66)}b~`
      let long = prefix
      while (long.length + segment.length + 1 <= 1024) long += `${segment}/`
      long += 'x'.repeat(1024 - long.length)
      expect(long.length).toBe(1024)
      await backend.write(long, bytesOf('long'), { metadata: { 'stale-until': '123' } })
      expect(textOf((await backend.read(long))?.bytes)).toBe('long')
      expect(await listAll(backend, prefix)).toEqual([long])
      if (backend.capabilities.metadata) {
        expect((await backend.head(long))?.metadata).toMatchObject({ 'stale-until': '123' })
      }
    })

    it('deletes in batches, ignoring absent names', async () => {
      const { backend, prefix } = await open()
      await backend.write(`${prefix}a`, bytesOf('a'))
      await backend.write(`${prefix}b`, bytesOf('b'))
      await backend.delete(
        [`${prefix}a`, `${prefix}b`, `${prefix}never`].slice(0, backend.maxDeleteBatch ?? 1),
      )
      if ((backend.maxDeleteBatch ?? 1) < 3) await backend.delete([`${prefix}b`])
      expect(await listAll(backend, prefix)).toEqual([])
    })

    it('lists every name under a prefix, page by page, and nothing outside it', async () => {
      const { backend, prefix } = await open()
      const inside = Array.from({ length: 25 }, (_, i) => `${prefix}in/${String(i).padStart(2, '0')}`)
      for (const objectName of [...inside, `${prefix}out`, `${prefix}inx`]) {
        await backend.write(objectName, bytesOf(objectName))
      }
      expect(await listAll(backend, `${prefix}in/`)).toEqual(inside)
      expect(await listAll(backend, `${prefix}in/1`)).toEqual(inside.slice(10, 20))
    })

    it('honours ifAbsent and ifVersion when it declares conditionalWrites (else reports no version)', async () => {
      const { backend, prefix } = await open()
      if (!backend.capabilities.conditionalWrites) {
        await backend.write(`${prefix}k`, bytesOf('one'))
        expect((await backend.read(`${prefix}k`))?.version).toBeUndefined()
        return
      }
      expect(await backend.write(`${prefix}k`, bytesOf('one'), { ifAbsent: true })).toBe(true)
      expect(await backend.write(`${prefix}k`, bytesOf('two'), { ifAbsent: true })).toBe(false)
      const read = await backend.read(`${prefix}k`)
      expect(read?.version).toBeDefined()
      expect((await backend.head(`${prefix}k`))?.version).toBe(read?.version)
      await backend.write(`${prefix}k`, bytesOf('three'))
      expect(await backend.write(`${prefix}k`, bytesOf('four'), { ifVersion: read?.version })).toBe(false)
      const current = await backend.read(`${prefix}k`)
      expect(await backend.write(`${prefix}k`, bytesOf('five'), { ifVersion: current?.version })).toBe(true)
      expect(textOf((await backend.read(`${prefix}k`))?.bytes)).toBe('five')
      await backend.delete([`${prefix}k`])
      expect(await backend.write(`${prefix}k`, bytesOf('six'), { ifVersion: current?.version })).toBe(false)

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          backend.write(`${prefix}race`, bytesOf(`w${i}`), { ifAbsent: true }),
        ),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(textOf((await backend.read(`${prefix}race`))?.bytes)).toBe(`w${results.indexOf(true)}`)

      if (backend.deleteIfVersion !== undefined) {
        const first = (await backend.read(`${prefix}race`))?.version as string
        await backend.write(`${prefix}race`, bytesOf('again'))
        expect(await backend.deleteIfVersion(`${prefix}race`, first)).toBe(false)
        const second = (await backend.read(`${prefix}race`))?.version as string
        expect(await backend.deleteIfVersion(`${prefix}race`, second)).toBe(true)
        expect(await backend.read(`${prefix}race`)).toBeUndefined()
      }
    })
  })

  const writeRawBytes: StoreCapabilities['writeRawBytes'] = async (store: CacheStore, key, bytes) => {
    const blobStore = store as BlobStore
    await blobStore.backend.write(new BlobNames(blobStore.prefix).nameOf(key), bytes)
  }
  describeStoreConformance({
    name: `BlobStore over ${name}`,
    createStore: async ({ clock, namespace }) =>
      new BlobStore(await createBackend(), {
        onError: () => {}, // the corrupt-bytes group reports on purpose
        ...options.storeOptions,
        clock,
        prefix: `${namespace}/`,
      }),
    capabilities: { expiry: 'clock', serializesValues: true, writeRawBytes },
  })
}
