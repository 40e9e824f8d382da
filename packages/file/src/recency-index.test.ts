import { describe, expect, it } from 'vitest'
import { RecencyIndex } from './recency-index'

describe('RecencyIndex', () => {
  it('evicts the least recently touched paths until the total fits', () => {
    const index = new RecencyIndex()
    index.touch('a', 10)
    index.touch('b', 10)
    index.touch('c', 10)
    index.touch('a', 10) // read: a becomes the most recent
    expect(index.totalBytes).toBe(30)
    expect(index.takeOverflow(15)).toEqual(['b', 'c'])
    expect(index.totalBytes).toBe(10)
    expect(index.takeOverflow(15)).toEqual([])
  })

  it('updates the size of a rewritten path and forgets removed ones', () => {
    const index = new RecencyIndex()
    index.touch('a', 10)
    index.touch('a', 25)
    expect(index.totalBytes).toBe(25)
    index.remove('a')
    index.remove('missing')
    expect(index.totalBytes).toBe(0)
    expect(index.size).toBe(0)
  })

  it('merges a scan: unknown files first by mtime, vanished untouched files dropped', () => {
    const index = new RecencyIndex()
    index.touch('known-gone', 5)
    index.touch('known-kept', 5)
    const scanStartedAt = index.touchCounter
    index.touch('touched-during-scan', 7) // written after the scan passed its directory
    index.reconcile(
      [
        { path: 'known-kept', size: 5, mtimeMs: 1 },
        { path: 'other-new', size: 3, mtimeMs: 20 },
        { path: 'other-old', size: 2, mtimeMs: 10 },
      ],
      scanStartedAt,
    )
    expect(index.size).toBe(4)
    expect(index.totalBytes).toBe(17)
    expect(index.takeOverflow(0)).toEqual(['other-old', 'other-new', 'known-kept', 'touched-during-scan'])
  })

  it('clear forgets everything', () => {
    const index = new RecencyIndex()
    index.touch('a', 1)
    index.clear()
    expect(index.totalBytes).toBe(0)
    expect(index.takeOverflow(0)).toEqual([])
  })
})
