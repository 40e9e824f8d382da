/** A function returning `items[0]`, `items[1]`, ... and around again: each case reads its own sequence. */
export function roundRobin<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('roundRobin needs at least one item')
  let i = -1
  const last = items.length - 1
  return () => {
    i = i === last ? 0 : i + 1
    return items[i] as T
  }
}
