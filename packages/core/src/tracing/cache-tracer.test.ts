import { describe, expect, it } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError } from '../errors'
import { NULL_METRICS } from '../metrics/collector'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { MemoryStore } from '../store/memory-store'
import type { CacheTracer } from './cache-tracer'

/** A tracer that writes down what it is asked to trace, in order. */
function recordingTracer(log: string[]): CacheTracer {
  return {
    traceLookup(cache, operation, lookup) {
      log.push(`lookup ${operation} ${cache}`)
      return lookup()
    },
    traceLoad(cache, loader) {
      return ((...args: unknown[]) => {
        log.push(`load ${cache}`)
        return loader(...args)
      }) as typeof loader
    },
    metrics: {
      ...NULL_METRICS,
      recordHit: (cache) => log.push(`hit ${cache}`),
      recordMiss: (cache) => log.push(`miss ${cache}`),
    },
  }
}

describe('the tracer hook', () => {
  it('traces each call of a cached function, its loads and its outcome, beside its own metrics', async () => {
    const log: string[] = []
    const metrics = new InMemoryMetrics()
    const app = createCache({ store: new MemoryStore(), metrics, tracer: recordingTracer(log) })
    const cachedUser = app.cache({ ttl: 60, key: 'user:{0}' })(async function getUser(id: number) {
      return { id }
    })
    expect(cachedUser.name).toBe('getUser')
    await cachedUser(1)
    await cachedUser(1)
    expect(log).toEqual([
      'lookup call getUser',
      'miss getUser',
      'load getUser',
      'lookup call getUser',
      'hit getUser',
    ])
    expect(metrics.getStats().caches.getUser).toMatchObject({ hits: 1, misses: 1 })
  })

  it('keeps a synchronous function synchronous', () => {
    const log: string[] = []
    const cachedDouble = createCache({ tracer: recordingTracer(log) }).cache({ ttl: 60 })(function double(
      n: number,
    ) {
      return n * 2
    })
    expect(cachedDouble(2)).toBe(4)
    expect(cachedDouble(2)).toBe(4)
    expect(log).toEqual([
      'lookup call double',
      'miss double',
      'load double',
      'lookup call double',
      'hit double',
    ])
  })

  it('traces getOrSet and get of an instance', async () => {
    const log: string[] = []
    const app = createCache({ name: 'kv', tracer: recordingTracer(log) })
    expect(await app.getOrSet('a', async () => 1, { ttl: 60 })).toBe(1)
    expect(await app.get('a')).toBe(1)
    await expect(app.getOrSet('b', 'not a function' as never)).rejects.toThrow(CacheConfigError)
    expect(log.slice(0, 5)).toEqual(['lookup getOrSet kv', 'miss kv', 'load kv', 'lookup get kv', 'hit kv'])
  })

  it('takes a per-function tracer, and none by default', async () => {
    const log: string[] = []
    const app = createCache({})
    const first = app.cache({ ttl: 60 })(async function untraced() {
      return 1
    })
    const second = app.cache({ ttl: 60, tracer: recordingTracer(log) })(async function traced() {
      return 2
    })
    await first()
    await second()
    expect(log).toEqual(['lookup call traced', 'miss traced', 'load traced'])
  })

  it('rejects a tracer that is not one, naming the option', () => {
    expect(() => createCache({ tracer: {} as never })).toThrow(/"tracer"/)
    expect(() => createCache({}).cache({ ttl: 1, tracer: { traceLookup: 1 } as never })).toThrow(/"tracer"/)
  })
})
