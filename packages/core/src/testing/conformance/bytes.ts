import { expect, it } from 'vitest'
import { CacheSerializationError } from '../../errors'
import type { StoreCapabilities } from '../store-conformance'
import { CORRUPT_SAMPLES, describeWhen, type Harness, noiseString } from './harness'

/** A 10 MiB value round-trips (unless `largeValues: false`). */
export function largeValuesGroup(h: Harness): void {
  describeWhen(h.capabilities.largeValues !== false, 'large values', () => {
    it('round-trips a 10 MiB value', { timeout: 60_000 }, async () => {
      const store = await h.open()
      const big = noiseString(10 * 1024 * 1024)
      const written = h.entry({ big, after: 'end' })
      await store.set('big', written)
      const read = await store.get('big')
      const value = read?.value as { big: string; after: string } | undefined
      expect(value?.big.length).toBe(big.length)
      expect(value?.big === big).toBe(true)
      expect(value?.after).toBe('end')
      expect(read?.staleUntil).toBe(written.staleUntil)
      expect(await store.delete('big')).toBe(true)
    })
  })
}

/** Undecodable stored bytes are a miss and are removed (with `writeRawBytes`). */
export function corruptBytesGroup(h: Harness): void {
  describeWhen(h.capabilities.writeRawBytes !== undefined, 'corrupt bytes', () => {
    const writeRaw = h.capabilities.writeRawBytes as NonNullable<StoreCapabilities['writeRawBytes']>

    it.each(CORRUPT_SAMPLES)('%s: a miss, then the key is gone', async (_label, bytes) => {
      const store = await h.open()
      await writeRaw(store, 'corrupt', bytes)
      expect(await store.get('corrupt')).toBeUndefined()
      expect(await store.has('corrupt')).toBe(false)
      expect(await store.delete('corrupt')).toBe(false)
      await store.set('corrupt', h.entry('healed'))
      expect((await store.get('corrupt'))?.value).toBe('healed')
    })

    it('getMany misses a corrupt entry in place and removes it', async () => {
      const store = await h.open()
      await store.set('a', h.entry('A'))
      await store.set('c', h.entry('C'))
      await writeRaw(store, 'b', Uint8Array.of(1, 2, 3, 4, 5))
      expect(await h.values(store, ['a', 'b', 'c'])).toEqual(['A', undefined, 'C'])
      expect(await store.delete('b')).toBe(false)
    })
  })
}

/** A value the serializer cannot encode rejects naming the key, and nothing is written (with `serializesValues: true`). */
export function unserializableGroup(h: Harness): void {
  describeWhen(h.capabilities.serializesValues === true, 'unserializable values', () => {
    it.each([
      ['a function', () => ({ fn: () => 1 })],
      ['a symbol', () => ({ sym: Symbol('s') })],
      [
        'a cyclic object',
        () => {
          const cyclic: Record<string, unknown> = { a: 1 }
          cyclic.self = cyclic
          return cyclic
        },
      ],
    ])('%s rejects with CacheSerializationError naming the key and writes nothing', async (_label, make) => {
      const store = await h.open()
      await store.set('kept', h.entry('previous'))
      const error = await store.set('kept', h.entry(make())).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(CacheSerializationError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain('kept')
      expect((await store.get('kept'))?.value).toBe('previous')
      const second = await store.set('fresh-key', h.entry(make())).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(CacheSerializationError.isInstance(second)).toBe(true)
      expect(await store.has('fresh-key')).toBe(false)
    })
  })
}
