import { type SmallValue, smallValue } from './payload'

/** A loader that counts its calls, so each case can prove it measures hits. */
export interface CountingLoader {
  /** Sync: the small value of `id`. */
  sync(id: number): SmallValue
  /** Async: the small value of `id`. */
  load(id: number): Promise<SmallValue>
  readonly calls: number
}

/** A fresh {@link CountingLoader}. */
export function countingLoader(): CountingLoader {
  let calls = 0
  return {
    sync(id) {
      calls++
      return smallValue(id)
    },
    async load(id) {
      calls++
      return smallValue(id)
    },
    get calls() {
      return calls
    },
  }
}

/**
 * Calls `call` a few times and fails unless the loader ran exactly once (the first call): a case
 * that silently missed would look fast for the wrong reason.
 */
export async function expectHits(name: string, call: () => unknown, loader: CountingLoader): Promise<void> {
  const before = loader.calls
  for (let i = 0; i < 4; i++) await call()
  if (loader.calls - before !== 1) {
    throw new Error(
      `bench case "${name}": loader ran ${loader.calls - before} times in 4 calls (expected 1: a miss, then hits)`,
    )
  }
}
