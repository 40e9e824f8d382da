import { describe, expect, it } from 'vitest'
import { CacheConfigError, CacheSerializationError } from '../errors'
import { assertCompression, gzipCompression } from './compression'

const encoder = new TextEncoder()

async function rejection(promise: Promise<unknown>): Promise<CacheSerializationError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(CacheSerializationError.isInstance(error)).toBe(true)
  return error as CacheSerializationError
}

describe('gzipCompression', () => {
  it('round-trips bytes and shrinks repetitive input', async () => {
    const input = encoder.encode('stratacache '.repeat(1000))
    const packed = await gzipCompression.compress(input)
    expect(packed.length).toBeLessThan(input.length / 10)
    expect(await gzipCompression.decompress(packed, input.length)).toEqual(input)
  })

  it('round-trips empty input and several MiB', async () => {
    expect(await gzipCompression.decompress(await gzipCompression.compress(new Uint8Array(0)), 0)).toEqual(
      new Uint8Array(0),
    )
    const large = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31) % 251)
    const packed = await gzipCompression.compress(large)
    const unpacked = await gzipCompression.decompress(packed, large.length)
    expect(Buffer.from(unpacked).equals(large)).toBe(true)
  })

  it('rejects garbage, truncated input and trailing bytes with CacheSerializationError', async () => {
    const packed = await gzipCompression.compress(encoder.encode('hello '.repeat(50)))
    await rejection(gzipCompression.decompress(new Uint8Array([1, 2, 3, 4, 5]), 1000))
    await rejection(gzipCompression.decompress(new Uint8Array(0), 1000))
    await rejection(gzipCompression.decompress(packed.subarray(0, packed.length - 3), 1000))
    const trailing = new Uint8Array(packed.length + 2)
    trailing.set(packed)
    trailing.set([7, 7], packed.length)
    await rejection(gzipCompression.decompress(trailing, 1000))
  })

  it('stops a decompression bomb at maxBytes', async () => {
    const bomb = await gzipCompression.compress(new Uint8Array(16 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(32 * 1024)
    const error = await rejection(gzipCompression.decompress(bomb, 1024))
    expect(error.message).toContain('exceeds 1024 bytes')
  })
})

describe('assertCompression', () => {
  it('accepts a valid compression', () => {
    expect(() => assertCompression(gzipCompression, 'compress.algorithm')).not.toThrow()
  })

  it.each([
    ['not an object', 'gzip', 'is not an object'],
    ['id 0', { ...gzipCompression, id: 0 }, 'has id 0'],
    ['a fractional id', { ...gzipCompression, id: 1.5 }, 'has id 1.5'],
    ['id 256', { ...gzipCompression, id: 256 }, 'has id 256'],
    ['no functions', { id: 200, name: 'x' }, 'lacks a compress or decompress function'],
    ['no name', { id: 200, compress: async () => 1, decompress: async () => 1 }, 'lacks a string name'],
  ])('rejects %s naming the option', (_, value, problem) => {
    try {
      assertCompression(value, 'compress.algorithm')
      expect.unreachable()
    } catch (error) {
      expect(CacheConfigError.isInstance(error)).toBe(true)
      expect((error as CacheConfigError).option).toBe('compress.algorithm')
      expect((error as Error).message).toContain(problem)
    }
  })
})
