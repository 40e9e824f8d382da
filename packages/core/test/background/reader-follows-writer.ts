import { expect } from 'vitest'
import { type CacheStore, createBg, defaultErrorHandler, NULL_METRICS, systemClock } from '../../src/index'
import { spawnBgWriter } from './spawn-bg-writer'

/** Options of {@link expectReaderFollowsWriter}. */
export interface ReaderFollowsWriterOptions {
  /** The store this (reader) process uses: another client of the backend the writer's module connects to. */
  readerStore: CacheStore
  /** Absolute path of the writer's store module (see `fixtures/bg-writer-process.ts`). */
  storeModule: string
  /** Environment for the writer process (e.g. the backend's URL). */
  env?: Record<string, string>
  /** The key; use one per test run. */
  key: string
  /**
   * The reader's interval, ms (the writer refreshes twice as often).
   * @default 100
   */
  intervalMs?: number
  /**
   * Added to one reader interval for the reader to catch up (process and backend latency, and
   * a loaded CI machine).
   * @default 400
   */
  slackMs?: number
}

/** Polls `condition` every 5 ms; resolves how long it took, or rejects after `boundMs`. */
async function within(boundMs: number, condition: () => boolean): Promise<number> {
  const startedAt = performance.now()
  while (!condition()) {
    const elapsed = performance.now() - startedAt
    if (elapsed > boundMs) throw new Error(`condition not met within ${boundMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return performance.now() - startedAt
}

/**
 * The writer/reader check across processes: a `bg.write` writer in a child process refreshes
 * `key` in a shared store; a `bg.read` mirror in this process must show each new value within
 * one reader interval (plus `slackMs`), and the writer must exit cleanly on shutdown. Real time,
 * about a second in all. Store adapters shared across processes (Redis) call it from their tests.
 *
 * Recipe for an adapter (Redis shown):
 * 1. a store module for the child, e.g. `packages/redis/test/fixtures/bg-store.ts`:
 *    `export const createStore = () => new RedisStore({ url: process.env.BG_REDIS_URL!, prefix: process.env.BG_PREFIX })`
 *    (it runs under `node --conditions=source --import tsx`, so it may import `../../src/...` and `@stratacache/core`);
 * 2. the test, importing this file by its path in the monorepo:
 *
 * @example
 * ```ts
 * import { expectReaderFollowsWriter } from '../../core/test/background/reader-follows-writer'
 * it('bg.write in one process, bg.read in another', () =>
 *   expectReaderFollowsWriter({
 *     readerStore: new RedisStore({ client, prefix }),
 *     storeModule: fileURLToPath(new URL('./fixtures/bg-store.ts', import.meta.url)),
 *     env: { BG_REDIS_URL: url, BG_PREFIX: prefix },
 *     key: 'rates',
 *   }))
 * ```
 */
export async function expectReaderFollowsWriter(options: ReaderFollowsWriterOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 100
  const slackMs = options.slackMs ?? 400
  const writer = await spawnBgWriter({
    storeModule: options.storeModule,
    key: options.key,
    interval: `${intervalMs / 2}ms`,
    env: options.env,
  })
  const bg = createBg({
    store: () => options.readerStore,
    hasExplicitStore: true,
    prefix: '',
    ttl: undefined,
    metrics: NULL_METRICS,
    onError: defaultErrorHandler,
    clock: systemClock,
  })
  try {
    await writer.nextWrite()
    const read = bg.read<{ seq: number; pid: number }>(options.key, {
      interval: `${intervalMs}ms`,
      store: options.readerStore,
    })
    await read.ready
    expect(read()?.pid).toBe(writer.pid)
    for (let round = 0; round < 3; round++) {
      const seq = await writer.nextWrite()
      await within(intervalMs + slackMs, () => (read()?.seq ?? 0) >= seq)
    }
    expect(read()?.pid).toBe(writer.pid)
  } finally {
    await bg.shutdown()
    const code = await writer.stop()
    expect(code).toBe(0)
  }
}
