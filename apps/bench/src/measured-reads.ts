import { type BenchCase, LatencyRecorder, nowNs } from './harness'
import { roundRobin } from './round-robin'

/** How a concurrent case keeps reads in flight. */
export interface InFlight {
  /** Reads kept in flight at once (one worker each). */
  inFlight: number
  /** Reads one measured call runs, shared by the workers. */
  opsPerCall: number
}

/**
 * The measured function of a read contender, over `ids` round-robin: one read per call when
 * `concurrent` is undefined; otherwise `opsPerCall` reads by `inFlight` workers, each read's
 * latency recorded.
 */
export function measuredReads(
  ids: number[],
  read: (id: number) => Promise<unknown>,
  concurrent: InFlight | undefined,
): Pick<BenchCase, 'fn' | 'opsPerCall' | 'perCall' | 'latencies'> {
  const nextId = roundRobin(ids)
  if (concurrent === undefined) return { fn: () => read(nextId()), perCall: true }
  const { inFlight, opsPerCall } = concurrent
  const latencies = new LatencyRecorder()
  const perWorker = opsPerCall / inFlight
  const worker = async () => {
    for (let i = 0; i < perWorker; i++) {
      const started = nowNs()
      await read(nextId())
      latencies.record(started)
    }
  }
  return { fn: () => Promise.all(Array.from({ length: inFlight }, worker)), opsPerCall, latencies }
}
