import { CacheKeyError } from '../errors'

/**
 * Renders `value` as JSON with object keys sorted, so that equal objects give equal text in any
 * process, whatever order their properties were created in.
 *
 * Beyond `JSON.stringify`: object keys are sorted (recursively); a `bigint` renders as a string
 * `"<digits>n"`; a `Map` as an array of `[key, value]` pairs sorted by the key's rendering; a `Set`
 * as a sorted array of its members' renderings; `toJSON()` is honoured (so a `Date` renders as its
 * ISO string); `undefined` properties are left out and `undefined` array items render as `null`,
 * as in JSON.
 *
 * @throws {@link CacheKeyError} for a function, a symbol or a circular structure: those have no
 * stable rendering, and a silent guess could make two different calls share one key.
 * @example
 * ```ts
 * stableJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 * ```
 */
export function stableJson(value: unknown): string {
  return render(value, [])
}

function render(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return 'null'
    case 'bigint':
      return `"${value}n"`
    case 'function':
    case 'symbol':
      throw new CacheKeyError(
        `Cannot build a cache key from a ${typeof value}: pass a key template or a key function that picks serialisable fields`,
      )
  }
  if (value === null) return 'null'
  const object = value as object
  if (ancestors.includes(object)) {
    throw new CacheKeyError(
      'Cannot build a cache key from a circular structure: pass a key template or a key function',
    )
  }
  ancestors.push(object)
  try {
    const withToJson = object as { toJSON?: unknown }
    if (typeof withToJson.toJSON === 'function') return render(withToJson.toJSON(), ancestors)
    if (Array.isArray(object)) return `[${object.map((item) => render(item, ancestors)).join(',')}]`
    if (object instanceof Map) {
      const pairs = [...object].map(([k, v]) => [render(k, ancestors), render(v, ancestors)] as const)
      pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      return `[${pairs.map(([k, v]) => `[${k},${v}]`).join(',')}]`
    }
    if (object instanceof Set) {
      const items = [...object].map((item) => render(item, ancestors)).sort()
      return `[${items.join(',')}]`
    }
    const record = object as Record<string, unknown>
    const parts: string[] = []
    for (const key of Object.keys(record).sort()) {
      const item = record[key]
      if (item === undefined) continue
      parts.push(`${JSON.stringify(key)}:${render(item, ancestors)}`)
    }
    return `{${parts.join(',')}}`
  } finally {
    ancestors.pop()
  }
}
