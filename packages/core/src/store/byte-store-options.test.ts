import { describe, expect, it } from 'vitest'
import { CacheConfigError } from '../errors'
import { defaultErrorHandler } from '../instance-defaults'
import { resolveByteStoreOptions } from './byte-store-options'
import { EntryCodec } from './codec'

const entry = { value: 'x'.repeat(2000), createdAt: 0, freshUntil: 10, staleUntil: 20 }

describe('resolveByteStoreOptions', () => {
  it('defaults to a json codec without compression and the default error handler', async () => {
    const { codec, onError } = resolveByteStoreOptions('file', {})
    expect(codec).toBeInstanceOf(EntryCodec)
    expect(codec.serializer.name).toBe('json')
    expect((await codec.encode(entry))[4]).toBe(0)
    expect(onError).toBe(defaultErrorHandler)
  })

  it('passes serializer and compress options to the codec, and keeps onError', async () => {
    const onError = () => {}
    const resolved = resolveByteStoreOptions('redis', { compress: true, onError, client: {} } as never)
    expect((await resolved.codec.encode(entry))[4]).toBe(1)
    expect(resolved.onError).toBe(onError)
  })

  it.each([
    ['onError', { onError: 'log' }],
    ['serializer', { serializer: { id: 'one' } }],
    ['compress.minBytes', { compress: { minBytes: -1 } }],
  ])('rejects a bad %s, naming the store and the option', (option, options) => {
    try {
      resolveByteStoreOptions('redis', options as never)
      expect.unreachable()
    } catch (error) {
      expect(CacheConfigError.isInstance(error)).toBe(true)
      expect((error as CacheConfigError).option).toBe(option)
      expect((error as Error).message).toMatch(
        new RegExp(`^redis: invalid option "${option.replace('.', '\\.')}": got .+; expected .+`),
      )
    }
  })
})
