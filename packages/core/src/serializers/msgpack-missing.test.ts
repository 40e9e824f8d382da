import { expect, it, vi } from 'vitest'
import { CacheConfigError } from '../errors'

vi.mock('node:module', () => ({
  createRequire: () => (name: string) => {
    throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' })
  },
}))

it('names the package to install when msgpackr is missing', async () => {
  const failure = await import('./msgpack').then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(CacheConfigError.isInstance(failure)).toBe(true)
  expect((failure as Error).message).toMatch(/npm install msgpackr/)
})
