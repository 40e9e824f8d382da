import { context, type Span, trace } from '@opentelemetry/api'
import type { MetricsCollector } from '@stratacache/core'

/** What a lookup span has been told so far. */
interface LookupState {
  /** The traced cache's name: records under it are the lookup's own, others come from its tiers. */
  readonly cache: string
  result: 'hit' | 'miss' | 'stale' | undefined
  tier: string | undefined
}

/** The lookup spans in progress (recording ones only), with what they learned. */
const LOOKUPS = new WeakMap<Span, LookupState>()

/** Registers `span` as the span of a lookup of `cache`. */
export function startLookupState(span: Span, cache: string): void {
  if (span.isRecording()) LOOKUPS.set(span, { cache, result: undefined, tier: undefined })
}

/** The state of the active lookup span, if the active span is one. */
function active(): [Span, LookupState] | undefined {
  const span = trace.getSpan(context.active())
  const state = span === undefined ? undefined : LOOKUPS.get(span)
  return state === undefined ? undefined : [span as Span, state]
}

const noop = (): void => {}

/**
 * The collector through which a traced cache (and its instrumented tiers) tell the active lookup
 * span what happened: `cache.result` from the cache's own hit, miss and stale records; `cache.tier`
 * from the first tier that recorded a hit; a `cache.error` event per failed store operation
 * (a failing loader is recorded on its own span instead).
 */
export const LOOKUP_SPAN_METRICS: MetricsCollector = Object.freeze({
  recordHit(cache: string) {
    const found = active()
    if (found === undefined) return
    const [span, state] = found
    if (cache !== state.cache) {
      if (state.tier === undefined) {
        state.tier = cache
        span.setAttribute('cache.tier', cache)
      }
    } else if (state.result === undefined) {
      state.result = 'hit'
      span.setAttribute('cache.result', 'hit')
    }
  },
  recordMiss(cache: string) {
    const found = active()
    if (found === undefined || cache !== found[1].cache || found[1].result !== undefined) return
    found[1].result = 'miss'
    found[0].setAttribute('cache.result', 'miss')
  },
  recordStale(cache: string) {
    const found = active()
    if (found === undefined || cache !== found[1].cache) return
    found[1].result = 'stale'
    found[0].setAttribute('cache.result', 'stale')
  },
  recordError(cache: string, operation: string, errorType: string) {
    if (operation === 'load' || operation === 'refresh') return
    active()?.[0].addEvent('cache.error', {
      'cache.name': cache,
      'cache.operation': operation,
      'error.type': errorType,
    })
  },
  recordSet: noop,
  recordDelete: noop,
  recordLatency: noop,
  recordMemory: noop,
  recordBackgroundRefresh: noop,
})
