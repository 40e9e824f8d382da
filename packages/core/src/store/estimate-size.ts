/** How deep {@link estimateSize} walks nested values before it counts a flat guess. */
const MAX_DEPTH = 8
/** Rough V8 costs, in bytes: an object header, a property slot, a boxed number. */
const OBJECT_OVERHEAD = 24
const SLOT = 8
const NUMBER = 16

function walk(value: unknown, depth: number, seen: Set<object>): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2
    case 'number':
    case 'bigint':
      return NUMBER
    case 'boolean':
    case 'undefined':
    case 'symbol':
      return SLOT
    case 'function':
      return OBJECT_OVERHEAD
  }
  if (value === null) return SLOT
  const object = value as object
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return OBJECT_OVERHEAD + object.byteLength
  if (seen.has(object) || depth >= MAX_DEPTH) return SLOT
  seen.add(object)
  let total = OBJECT_OVERHEAD
  if (object instanceof Date) return total + NUMBER
  if (object instanceof Map) {
    for (const [key, item] of object)
      total += 3 * SLOT + walk(key, depth + 1, seen) + walk(item, depth + 1, seen)
    return total
  }
  if (object instanceof Set) {
    for (const item of object) total += 2 * SLOT + walk(item, depth + 1, seen)
    return total
  }
  if (Array.isArray(object)) {
    for (const item of object) total += SLOT + walk(item, depth + 1, seen)
    return total
  }
  for (const key of Object.keys(object)) {
    total += SLOT + walk((object as Record<string, unknown>)[key], depth + 1, seen)
  }
  return total
}

/**
 * A rough estimate of the heap bytes `value` holds: strings at two bytes per character, numbers
 * boxed, objects and arrays with a header and a slot per property, typed arrays by their
 * `byteLength`. Shared structures and cycles are counted once; nesting deeper than 8 levels is
 * not walked; a value whose properties throw when read counts as a bare object. Good enough to
 * bound a cache by memory; pass your own `sizeOf` when you know better.
 *
 * @example
 * ```ts
 * estimateSize({ id: 1, name: 'Ada' }) // 78: 24 (object) + 8 + 16 (id) + 8 + 22 (name)
 * ```
 */
export function estimateSize(value: unknown): number {
  try {
    return walk(value, 0, new Set())
  } catch {
    // A getter or proxy trap threw while walking: count a bare object rather than fail a write.
    return OBJECT_OVERHEAD
  }
}
