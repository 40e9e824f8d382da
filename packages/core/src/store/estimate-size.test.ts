import { describe, expect, it } from 'vitest'
import { estimateSize } from './estimate-size'

describe('estimateSize', () => {
  it('grows with string length and counts primitives', () => {
    expect(estimateSize('')).toBe(16)
    expect(estimateSize('abcd')).toBe(24)
    expect(estimateSize(1)).toBe(16)
    expect(estimateSize(true)).toBe(8)
    expect(estimateSize(null)).toBe(8)
    expect(estimateSize(undefined)).toBe(8)
  })

  it('walks objects, arrays, maps and sets', () => {
    expect(estimateSize({ id: 1, name: 'Ada' })).toBe(78)
    expect(estimateSize([1, 2])).toBe(24 + 2 * (8 + 16))
    expect(estimateSize(new Map([['k', 1]]))).toBe(24 + 24 + 18 + 16)
    expect(estimateSize(new Set(['k']))).toBe(24 + 16 + 18)
    expect(estimateSize(new Date(0))).toBe(40)
  })

  it('counts binary data by byteLength', () => {
    expect(estimateSize(new Uint8Array(1000))).toBe(1024)
    expect(estimateSize(new ArrayBuffer(10))).toBe(34)
  })

  it('counts shared and cyclic structures once and stops at depth 8', () => {
    const cyclic: Record<string, unknown> = { a: 'x' }
    cyclic.self = cyclic
    expect(estimateSize(cyclic)).toBe(24 + (8 + 18) + (8 + 8))
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100; i++) deep = { deep }
    expect(estimateSize(deep)).toBe(8 * (24 + 8) + 8)
  })

  it('never throws: a value whose properties throw counts as a bare object', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you')
        },
      },
    )
    expect(estimateSize(hostile)).toBe(24)
    expect(estimateSize({ nested: hostile })).toBe(24)
  })
})
