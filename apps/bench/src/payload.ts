/** The value every contender caches: a small object, like a row or a DTO. */
export interface SmallValue {
  id: number
  name: string
  active: boolean
}

/** A fresh small value for `id`. */
export function smallValue(id: number): SmallValue {
  return { id, name: `user ${id}`, active: id % 2 === 0 }
}

/** The key of `id` in groups that hold many keys. */
export function keyOf(id: number): string {
  return `user:${id}`
}

/** Every contender's TTL: long enough that nothing expires during a run. */
export const TTL_SECONDS = 60
export const TTL_MS = TTL_SECONDS * 1000

/** Every bounded in-memory contender's capacity in the timed groups. */
export const MAX_ENTRIES = 10_000

/** Keys read round-robin by the multi-key cases. */
export const HOT_KEYS = 10_000

/** `[0, 1, ..., count - 1]` keys. */
export function keys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => keyOf(i))
}
