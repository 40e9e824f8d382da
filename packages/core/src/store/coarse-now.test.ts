import { afterEach, describe, expect, it, vi } from 'vitest'
import { coarseNow } from './coarse-now'

/** Lets the 1 ms forget timer fire (a real, short wait: this is the mechanism under test). */
const afterResolution = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('coarseNow', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('reuses one Date.now() reading across awaits until the 1 ms timer forgets it', async () => {
    await afterResolution()
    const now = vi.spyOn(Date, 'now')
    now.mockReturnValue(1000)
    expect(coarseNow()).toBe(1000)
    now.mockReturnValue(2000)
    await Promise.resolve()
    expect(coarseNow()).toBe(1000)
    expect(now).toHaveBeenCalledTimes(1)
    await afterResolution()
    expect(coarseNow()).toBe(2000)
    expect(now).toHaveBeenCalledTimes(2)
  })

  it('reads the clock again after 1,024 reuses, even before the timer fires', async () => {
    await afterResolution()
    const now = vi.spyOn(Date, 'now').mockReturnValue(5000)
    for (let i = 0; i < 1025; i++) coarseNow()
    expect(now).toHaveBeenCalledTimes(1)
    now.mockReturnValue(6000)
    expect(coarseNow()).toBe(6000)
    expect(now).toHaveBeenCalledTimes(2)
  })
})
