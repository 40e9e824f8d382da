import { describe, expect, it } from 'vitest'
import { CacheCircuitOpenError, CacheConfigError, CacheSerializationError, CacheStoreError } from '../errors'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { ManualClock } from '../testing/manual-clock'
import { instrument } from './instrument'
import { MemoryStore } from './memory-store'
import { StoreCircuit } from './store-circuit'

/** A remote-like store whose backend can be made to fail; counts the calls that reach it. */
class FlakyStore extends MemoryStore {
  failing = false
  calls = 0
  readonly #circuit: StoreCircuit
  constructor(clock: ManualClock, circuitBreaker?: ConstructorParameters<typeof StoreCircuit>[2]) {
    super({ clock })
    this.#circuit = new StoreCircuit('FlakyStore', 'flaky', circuitBreaker, clock)
    this.#circuit.guard(this)
  }
  get circuitState() {
    return this.#circuit.state
  }
  override async get(key: string) {
    this.calls++
    if (this.failing) throw new CacheStoreError('backend down', { store: 'flaky', operation: 'get', key })
    return super.get(key)
  }
  override async set(key: string, entry: Parameters<MemoryStore['set']>[1]) {
    this.calls++
    if (entry.value === 'unencodable') throw new CacheSerializationError('cannot encode', { key })
    return super.set(key, entry)
  }
}

const entry = (value: string) => ({ value, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })

describe('StoreCircuit', () => {
  it('stops calling a failing backend after 5 failures, for 10 s, then lets one trial through', async () => {
    const clock = new ManualClock()
    const store = new FlakyStore(clock)
    store.failing = true
    for (let i = 0; i < 5; i++) await expect(store.get('k')).rejects.toThrow('backend down')
    expect(store.circuitState).toBe('open')
    const refused = await store.get('k').catch((error: unknown) => error)
    expect(CacheCircuitOpenError.isInstance(refused)).toBe(true)
    expect(CacheStoreError.isInstance(refused)).toBe(true)
    expect(refused).toMatchObject({ store: 'flaky', operation: 'get', key: 'k', retryInMs: 10_000 })
    expect((refused as Error).message).toMatch(/failed 5 times in a row.*10000 ms/)
    expect(store.calls).toBe(5)
    await clock.advance(10_000)
    expect(store.circuitState).toBe('half-open')
    store.failing = false
    expect(await store.get('k')).toBeUndefined()
    expect(store.circuitState).toBe('closed')
    expect(store.calls).toBe(6)
  })

  it('does not count errors that say nothing of the backend (a value that cannot be encoded)', async () => {
    const clock = new ManualClock()
    const store = new FlakyStore(clock, { failureThreshold: 1 })
    await expect(store.set('k', entry('unencodable'))).rejects.toThrow('cannot encode')
    expect(store.circuitState).toBe('closed')
  })

  it('can be tuned or turned off, and rejects a bad option naming it', async () => {
    const clock = new ManualClock()
    const off = new FlakyStore(clock, false)
    off.failing = true
    for (let i = 0; i < 20; i++) await expect(off.get('k')).rejects.toThrow('backend down')
    expect(off.calls).toBe(20)
    expect(off.circuitState).toBe('closed')
    expect(() => new StoreCircuit('X', 'x', 'yes' as never)).toThrowError(CacheConfigError)
    expect(() => new StoreCircuit('X', 'x', { failureThreshold: 0 })).toThrowError(/failureThreshold/)
  })

  it('instrument() reports the state to metrics', async () => {
    const clock = new ManualClock()
    const store = new FlakyStore(clock, { failureThreshold: 2, resetTimeout: '1s' })
    const metrics = new InMemoryMetrics({ clock })
    const observed = instrument(store, metrics, 'L2')
    store.failing = true
    await expect(observed.get('a')).rejects.toThrow()
    await expect(observed.get('a')).rejects.toThrow()
    expect(metrics.getStats().circuits).toEqual({ L2: 'open' })
    await expect(observed.get('a')).rejects.toSatisfy((error) => CacheCircuitOpenError.isInstance(error))
    expect(metrics.getStats().errors['L2.get']).toEqual({ CacheStoreError: 2, CacheCircuitOpenError: 1 })
    await clock.advance(1000)
    store.failing = false
    await observed.get('a')
    expect(metrics.getStats().circuits).toEqual({ L2: 'closed' })
  })

  it('admit/succeeded/failed guard a method the store guards itself, as run does', async () => {
    const clock = new ManualClock()
    const circuit = new StoreCircuit('X', 'x', { failureThreshold: 2, resetTimeout: '1s' }, clock)
    let calls = 0
    const store = {
      get(key: string): Promise<string> {
        const refusal = circuit.admit('get', key)
        if (refusal !== undefined) return Promise.reject(refusal)
        calls++
        const error = new CacheStoreError('down', { store: 'x', operation: 'get', key })
        circuit.failed(error)
        return Promise.reject(error)
      },
      async set(): Promise<void> {
        calls++
        throw new CacheStoreError('down', { store: 'x', operation: 'set' })
      },
    }
    const ownGet = store.get
    circuit.guard(store, ['get'])
    expect(store.get).toBe(ownGet) // left to the store
    expect(store.set).not.toBe(ownGet)
    await expect(store.get('k')).rejects.toThrow('down')
    await expect(store.set()).rejects.toThrow('down') // guarded by run: counted on the same breaker
    expect(circuit.state).toBe('open')
    const refused = await store.get('k').catch((error: unknown) => error)
    expect(refused).toMatchObject({ store: 'x', operation: 'get', key: 'k', retryInMs: 1000 })
    expect(CacheCircuitOpenError.isInstance(refused)).toBe(true)
    expect(calls).toBe(2)
    await clock.advance(1000)
    expect(circuit.admit('get', 'k')).toBeUndefined() // the trial
    expect(CacheCircuitOpenError.isInstance(circuit.admit('get', 'k'))).toBe(true) // one at a time
    circuit.failed(new Error('a bad argument, not the backend'))
    expect(circuit.state).toBe('half-open') // released, not counted
    expect(circuit.admit('get', 'k')).toBeUndefined()
    circuit.succeeded()
    expect(circuit.state).toBe('closed')
  })
})
