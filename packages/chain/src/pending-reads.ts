/** One read in flight below the first tier; `invalidated` once a write or delete overtook it. */
export interface ReadTicket {
  invalidated: boolean
}

/**
 * The reads of a chain that are looking below the first tier, by key, so that a write, a delete
 * or a bus message arriving meanwhile can stop them from promoting the value they found (which
 * may be older than what was just written) into the upper tiers.
 *
 * Costs nothing while no such read is in flight: {@link PendingReads.invalidate} returns at once.
 *
 * @example
 * ```ts
 * const ticket = pending.begin(key)
 * try {
 *   const entry = await lower.get(key)
 *   if (entry !== undefined && !ticket.invalidated) await upper.set(key, entry)
 * } finally {
 *   pending.end(key, ticket)
 * }
 * ```
 */
export class PendingReads {
  readonly #byKey = new Map<string, ReadTicket[]>()
  /** See {@link PendingReads.noteFirstTierMiss}. */
  #firstTierMissed: string | undefined
  #forgetScheduled = false

  /**
   * Records that the first tier was just read for `key` and missed (a `tryGetSync`), so that
   * the read that follows in the same synchronous turn (`cache()` calls `get` right after) can
   * start below it. Forgotten at the next microtask, and by any write or delete (`invalidate`).
   */
  noteFirstTierMiss(key: string): void {
    this.#firstTierMissed = key
    if (this.#forgetScheduled) return
    this.#forgetScheduled = true
    queueMicrotask(() => {
      this.#forgetScheduled = false
      this.#firstTierMissed = undefined
    })
  }

  /** Whether the first tier just missed `key` (see {@link PendingReads.noteFirstTierMiss}); consumes it. */
  takeFirstTierMiss(key: string): boolean {
    if (this.#firstTierMissed !== key) return false
    this.#firstTierMissed = undefined
    return true
  }

  /** Registers a read of `key`; pass the ticket to {@link PendingReads.end} when it finishes. */
  begin(key: string): ReadTicket {
    const ticket: ReadTicket = { invalidated: false }
    const tickets = this.#byKey.get(key)
    if (tickets === undefined) this.#byKey.set(key, [ticket])
    else tickets.push(ticket)
    return ticket
  }

  /** Unregisters a read started by {@link PendingReads.begin}. */
  end(key: string, ticket: ReadTicket): void {
    const tickets = this.#byKey.get(key)
    if (tickets === undefined) return
    const index = tickets.indexOf(ticket)
    if (index !== -1) tickets.splice(index, 1)
    if (tickets.length === 0) this.#byKey.delete(key)
  }

  /** Marks every read in flight of `key` as overtaken. */
  invalidate(key: string): void {
    if (this.#firstTierMissed === key) this.#firstTierMissed = undefined
    if (this.#byKey.size === 0) return
    const tickets = this.#byKey.get(key)
    if (tickets === undefined) return
    for (const ticket of tickets) ticket.invalidated = true
  }

  /** Marks every read in flight, of any key, as overtaken (after a clear or a pattern delete). */
  invalidateAll(): void {
    this.#firstTierMissed = undefined
    for (const tickets of this.#byKey.values()) {
      for (const ticket of tickets) ticket.invalidated = true
    }
  }
}
