import { afterEach, describe, expect, it, vi } from 'vitest'
import { coarseNow } from './coarse-now'

describe('coarseNow', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('reads Date.now() once per synchronous run, then again after the job yields', async () => {
    await Promise.resolve()
    const now = vi.spyOn(Date, 'now')
    now.mockReturnValue(1000)
    expect(coarseNow()).toBe(1000)
    now.mockReturnValue(2000)
    expect(coarseNow()).toBe(1000)
    expect(now).toHaveBeenCalledTimes(1)
    await Promise.resolve()
    expect(coarseNow()).toBe(2000)
    expect(now).toHaveBeenCalledTimes(2)
  })

  it('reads the clock again after 1,024 reuses within one run', async () => {
    await Promise.resolve()
    const now = vi.spyOn(Date, 'now').mockReturnValue(5000)
    for (let i = 0; i < 1025; i++) coarseNow()
    expect(now).toHaveBeenCalledTimes(1)
    now.mockReturnValue(6000)
    expect(coarseNow()).toBe(6000)
    expect(now).toHaveBeenCalledTimes(2)
  })
})
