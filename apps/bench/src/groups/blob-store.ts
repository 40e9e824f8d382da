import { BlobStore, createEntry, EntryCodec } from '@stratacache/core'
import { MemoryBlobBackend } from '@stratacache/core/testing'
import type { BenchGroup } from '../harness'
import { HOT_KEYS, keys, smallValue, TTL_MS } from '../payload'
import { roundRobin } from '../round-robin'

const MAP = 'Map<string, Uint8Array>.get + EntryCodec.decode'
const BLOB = 'BlobStore.get (MemoryBlobBackend)'
const BLOB_UNBOUNDED = 'BlobStore.get (MemoryBlobBackend, operationTimeout: Infinity)'

/** BlobStore's own cost: a hit through the whole byte-store layer vs the bytes and the codec alone. */
export const blobStoreGroup: BenchGroup = {
  id: 'blob-store',
  number: '12a',
  title: 'BlobStore hit over the in-memory backend',
  about: [
    `A hit read round-robin over ${HOT_KEYS.toLocaleString('en')} keys holding small objects, as encoded entry bytes.`,
    'The floor is a hand-written `Map<string, Uint8Array>` whose `get` is followed by `EntryCodec.decode`',
    '(awaited): the bytes and the codec, nothing else. `BlobStore` adds the key → object-name mapping, the',
    'backend call (an async `read` of `MemoryBlobBackend`), the freshness check and, by default, the',
    '`operationTimeout` timer and `AbortSignal` of every backend call.',
  ].join(' '),
  floor: MAP,
  targets: [
    {
      label: '`BlobStore.get` over the in-memory backend ≤ 1.2× a `Map` + codec decode',
      source: 'issue 12',
      subject: BLOB,
      baseline: MAP,
      kind: 'atMost',
      ratio: 1.2,
    },
  ],
  async setup() {
    const hot = keys(HOT_KEYS)
    const codec = new EntryCodec()
    const map = new Map<string, Uint8Array>()
    const store = new BlobStore(new MemoryBlobBackend(), { prefix: 'bench/' })
    const unbounded = new BlobStore(new MemoryBlobBackend(), { prefix: 'bench/', operationTimeout: Infinity })
    const now = Date.now()
    for (const [i, key] of hot.entries()) {
      const entry = createEntry(smallValue(i), { now, ttlMs: TTL_MS })
      map.set(key, await codec.encode(entry, key))
      await store.set(key, entry)
      await unbounded.set(key, entry)
    }
    const mapKey = roundRobin(hot)
    const blobKey = roundRobin(hot)
    const unboundedKey = roundRobin(hot)
    return {
      cases: [
        { name: MAP, fn: () => codec.decode(map.get(mapKey()) as Uint8Array) },
        { name: BLOB, fn: () => store.get(blobKey()) },
        { name: BLOB_UNBOUNDED, fn: () => unbounded.get(unboundedKey()) },
      ],
      teardown: async () => {
        await store.close()
        await unbounded.close()
      },
    }
  },
}
