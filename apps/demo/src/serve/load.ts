/** Options of {@link driveLoad}. */
export interface LoadOptions {
  /** Requests to make. @defaultValue `300` */
  requests?: number
  /** Requests in flight at once. @defaultValue `8` */
  concurrency?: number
  /** Stops the load early (the demo shutting down). */
  signal?: AbortSignal
  /** Random numbers in [0, 1). @defaultValue `Math.random` */
  random?: () => number
}

/** What a burst of load did. */
export interface LoadSummary {
  requests: number
  failed: number
  ms: number
}

/**
 * A product id as real traffic asks for them: 80% of requests go to 20 hot products, the rest
 * spread over 200, so a warm cache answers most requests from its first tier.
 */
export function pickProduct(random: () => number): number {
  return random() < 0.8 ? 1 + Math.floor(random() * 20) : 21 + Math.floor(random() * 180)
}

/**
 * Sends `requests` product requests through `request`, `concurrency` at a time.
 *
 * @example
 * ```ts
 * await driveLoad((id) => fetch(`${url}/api/products/${id}`), { requests: 300 })
 * ```
 */
export async function driveLoad(
  request: (id: number) => Promise<unknown>,
  options: LoadOptions = {},
): Promise<LoadSummary> {
  const { requests = 300, concurrency = 8, signal, random = Math.random } = options
  const started = performance.now()
  let sent = 0
  let failed = 0
  const worker = async (): Promise<void> => {
    while (sent < requests && signal?.aborted !== true) {
      sent++
      try {
        await request(pickProduct(random))
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))
  return { requests: sent, failed, ms: Math.round(performance.now() - started) }
}
