import { CacheKeyError } from '../errors'

/**
 * The omitted-key form of `cache()`: `name:<rendering of the arguments>`.
 *
 * The rendering is part of the key format (a change orphans every entry written before it). It
 * depends only on the arguments' values, so it is identical in every process, on every platform
 * and after restarts, and it is collision-safe: arguments of different types never render alike
 * (`f(1)` is `f:1`, `f('1')` is `f:"1"`). Arguments are joined by `,`, each rendered as:
 *
 * | value | rendering |
 * |---|---|
 * | string | JSON string: `"a,b"` |
 * | number | `String(n)`: `42`, `-1.5`, `NaN`, `Infinity` (`-0` as `0`, as a `Map` key would) |
 * | boolean, `null`, `undefined` | `true`, `false`, `null`, `undefined` |
 * | bigint | digits and `n`: `42n` |
 * | array | `[` items `]`; a hole is `undefined` |
 * | plain object (or null prototype) | `{"key":value,...}`, keys sorted, `undefined` values kept |
 * | `Date` | `@Date(<epoch ms>)` |
 * | `Map`, `Set` | `@Map[[k,v],...]`, `@Set[...]`, sorted by their renderings |
 * | `Uint8Array` (`Buffer`), `ArrayBuffer`, `DataView` | `@Uint8Array(<hex>)` (its class name) |
 * | other typed arrays | `@Float64Array[1,2]` (its class name, then the items) |
 * | `RegExp` | `@RegExp("/a/g")` |
 * | class instance with `toJSON()` | `@"ClassName"(` rendering of `toJSON()` `)` |
 * | other class instance | `@"ClassName"{...}`, its own enumerable properties as for a plain object |
 *
 * A rendering longer than {@link MAX_VERBATIM_LENGTH} characters is replaced by `#` and a 128-bit
 * hash of it (32 hex digits): a verbatim rendering never starts with `#`, so the two forms never meet.
 *
 * @packageDocumentation
 */

/**
 * Renderings up to this many characters are the key itself; longer ones are hashed.
 * @example
 * ```ts
 * defaultKeyBuilder('f:')(undefined, ['x'.repeat(MAX_VERBATIM_LENGTH)]) // 'f:#' + 32 hex digits
 * ```
 */
export const MAX_VERBATIM_LENGTH = 120

/** Nesting depth past which a value is refused (a circular structure ends here). */
const MAX_DEPTH = 64

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/**
 * Builds the omitted-key form of one cached function (see the module comment for the format).
 * @example
 * ```ts
 * const build: DefaultKeyBuilder = defaultKeyBuilder('getUser:')
 * ```
 */
export type DefaultKeyBuilder = (thisArg: unknown, args: ArrayLike<unknown>) => string

/**
 * The key builder of a cached function whose `key` is omitted: `head` (instance prefix and
 * `name:`) followed by the rendering of the arguments, or its hash when the rendering is long.
 * `this` is never part of the key. Each builder remembers the property order of the last plain
 * object it rendered, so calls with objects of one shape skip sorting their keys, and, for a single
 * plain-object argument whose values are primitives, the keys it built, by those values (up to
 * 4,096 per shape): a repeated call hands the same key string, already hashed by the store's
 * `Map`, instead of a new 40-odd-character string to hash. The key is the same either way.
 *
 * @param head - `prefix + name + ':'`, e.g. `'app:getUser:'`
 * @throws {@link CacheKeyError} at call time for a function, a symbol, a circular or too deeply
 * nested structure, or an object with no data to render (a `Promise`, a `WeakMap`): those would
 * make different calls share a key
 * @example
 * ```ts
 * defaultKeyBuilder('getUser:')(undefined, [42]) // 'getUser:42'
 * defaultKeyBuilder('find:')(undefined, [{ org: 'acme', id: 7 }]) // 'find:{"id":7,"org":"acme"}'
 * ```
 */
export function defaultKeyBuilder(head: string): DefaultKeyBuilder {
  const shape: Shape = { keys: undefined, sorted: [], heads: [], memo: new Map(), remembered: 0 }
  return (_thisArg, args) => {
    if (args.length === 1) {
      const only = args[0]
      // One number: `head + n` is already the rendering, and it is always short.
      if (typeof only === 'number') return head + only
      if (typeof only === 'string') return head + verbatimOrHash(quote(only))
      if (typeof only === 'object' && only !== null && isPlain(only))
        return plainKey(head, only as Record<string, unknown>, shape)
    }
    let text = ''
    for (let i = 0; i < args.length; i++) text += (i === 0 ? '' : ',') + render(args[i], 0)
    return head + verbatimOrHash(text)
  }
}

/** The key text of one rendering: itself when short, else `#` and its hash. */
function verbatimOrHash(text: string): string {
  return text.length <= MAX_VERBATIM_LENGTH ? text : `#${hash128(text)}`
}

/**
 * The property order of the last plain object a builder rendered, the text before each value, and
 * the keys built for objects of that shape whose values are all primitive.
 */
interface Shape {
  keys: string[] | undefined
  sorted: string[]
  heads: string[]
  /**
   * Keys already built, by the objects' values in sorted property order: a trie of `Map`s (keyed
   * as `Map` keys compare, `SameValueZero`), whose last level holds the whole key. A key handed
   * again is the same string, whose hash the store's `Map` has already computed.
   */
  memo: Map<unknown, unknown>
  /** How many keys `memo` holds. */
  remembered: number
}

/** How many keys a builder remembers for objects of one shape (then it starts over). */
const MAX_REMEMBERED_KEYS = 4096
/** Objects with more properties than this are rendered every time. */
const MAX_REMEMBERED_FIELDS = 8
/** String values longer than this are rendered every time (and not held by the memo). */
const MAX_REMEMBERED_STRING = 64

/** Whether `value` may be a memo key: a primitive whose rendering depends only on its `SameValueZero` class. */
function rememberable(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return true
    case 'string':
      return value.length <= MAX_REMEMBERED_STRING
    default:
      return value === null
  }
}

/**
 * `head` and the rendering of a plain object (the single argument): the key built before for an
 * object of the same shape and the same primitive values, else rendered (and remembered).
 */
function plainKey(head: string, object: Record<string, unknown>, shape: Shape): string {
  const keys = Object.keys(object)
  if (!sameKeys(shape.keys, keys)) adoptShape(shape, keys)
  const sorted = shape.sorted
  const count = sorted.length
  if (count === 0 || count > MAX_REMEMBERED_FIELDS)
    return head + verbatimOrHash(renderPlain(object, 0, shape))
  let node: Map<unknown, unknown> | undefined = shape.memo
  for (let i = 0; i < count && node !== undefined; i++) {
    const next = node.get(object[sorted[i] as string])
    if (i === count - 1) {
      if (next !== undefined) return next as string
    } else node = next as Map<unknown, unknown> | undefined
  }
  // Not remembered: read each value once, render from those values, remember if all are primitive.
  const values: unknown[] = []
  let primitive = true
  for (let i = 0; i < count; i++) {
    const value = object[sorted[i] as string]
    values.push(value)
    if (primitive && !rememberable(value)) primitive = false
  }
  const heads = shape.heads
  let text = ''
  for (let i = 0; i < count; i++) text += heads[i] + render(values[i], 0)
  const key = head + verbatimOrHash(`${text}}`)
  if (primitive) remember(shape, values, key)
  return key
}

function remember(shape: Shape, values: unknown[], key: string): void {
  if (shape.remembered >= MAX_REMEMBERED_KEYS) {
    shape.memo = new Map()
    shape.remembered = 0
  }
  let node = shape.memo
  const last = values.length - 1
  for (let i = 0; i < last; i++) {
    let next = node.get(values[i]) as Map<unknown, unknown> | undefined
    if (next === undefined) {
      next = new Map()
      node.set(values[i], next)
    }
    node = next
  }
  if (!node.has(values[last])) shape.remembered++
  node.set(values[last], key)
}

function adoptShape(shape: Shape, keys: string[]): void {
  const sorted = isSorted(keys) ? keys : [...keys].sort()
  shape.keys = keys
  shape.sorted = sorted
  shape.heads = sorted.map((key, i) => `${i === 0 ? '{' : ','}${quote(key)}:`)
  shape.memo = new Map()
  shape.remembered = 0
}

function isPlain(object: object): boolean {
  const proto = Object.getPrototypeOf(object)
  return proto === Object.prototype || proto === null
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return `${value}`
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return 'undefined'
    case 'bigint':
      return `${value}n`
    case 'function':
    case 'symbol':
      throw new CacheKeyError(
        `Cannot build the default cache key from a ${typeof value}: pass a \`key\` template or function that picks serialisable fields`,
      )
  }
  if (value === null) return 'null'
  if (depth >= MAX_DEPTH) {
    throw new CacheKeyError(
      `Cannot build the default cache key from a circular structure or one nested deeper than ${MAX_DEPTH} levels: pass a \`key\``,
    )
  }
  return renderObject(value as object, depth + 1)
}

function renderObject(object: object, depth: number): string {
  if (Array.isArray(object)) {
    let text = '['
    for (let i = 0; i < object.length; i++) text += (i === 0 ? '' : ',') + render(object[i], depth)
    return `${text}]`
  }
  if (isPlain(object)) return renderPlain(object as Record<string, unknown>, depth, undefined)
  if (object instanceof Date) return `@Date(${object.getTime()})`
  if (object instanceof Map) {
    const pairs = Array.from(object, ([k, v]) => `[${render(k, depth)},${render(v, depth)}]`).sort()
    return `@Map[${pairs.join(',')}]`
  }
  if (object instanceof Set)
    return `@Set[${Array.from(object, (item) => render(item, depth))
      .sort()
      .join(',')}]`
  if (object instanceof RegExp) return `@RegExp(${quote(String(object))})`
  const name = classNameOf(object)
  if (object instanceof ArrayBuffer) return `@ArrayBuffer(${hex(new Uint8Array(object))})`
  if (ArrayBuffer.isView(object)) {
    if (object instanceof Uint8Array || object instanceof DataView)
      return `@${name}(${hex(new Uint8Array(object.buffer, object.byteOffset, object.byteLength))})`
    const items = Array.from(object as unknown as ArrayLike<unknown>, (item) => render(item, depth))
    return `@${name}[${items.join(',')}]`
  }
  const quotedName = `@${quote(name)}`
  const toJSON = (object as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return `${quotedName}(${render(toJSON.call(object), depth)})`
  if (Object.keys(object).length === 0) {
    throw new CacheKeyError(
      `Cannot build the default cache key from a ${name || 'class'} instance without enumerable properties: pass a \`key\``,
    )
  }
  return quotedName + renderPlain(object as Record<string, unknown>, depth, undefined)
}

function classNameOf(object: object): string {
  const ctor = (Object.getPrototypeOf(object) as { constructor?: unknown } | null)?.constructor
  return typeof ctor === 'function' ? ctor.name : ''
}

/** `{"a":1,"b":2}` with sorted keys; `shape` caches the sorted order of the last key list seen. */
function renderPlain(object: Record<string, unknown>, depth: number, shape: Shape | undefined): string {
  const keys = Object.keys(object)
  let sorted: string[]
  let heads: string[]
  if (shape !== undefined) {
    if (!sameKeys(shape.keys, keys)) adoptShape(shape, keys)
    sorted = shape.sorted
    heads = shape.heads
  } else {
    sorted = isSorted(keys) ? keys : [...keys].sort()
    heads = sorted.map((key, i) => `${i === 0 ? '{' : ','}${quote(key)}:`)
  }
  if (sorted.length === 0) return '{}'
  let text = ''
  for (let i = 0; i < sorted.length; i++) text += heads[i] + render(object[sorted[i] as string], depth)
  return `${text}}`
}

function sameKeys(known: string[] | undefined, keys: string[]): boolean {
  if (known === undefined || known.length !== keys.length) return false
  for (let i = 0; i < keys.length; i++) if (known[i] !== keys[i]) return false
  return true
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false
  return true
}

/** `JSON.stringify(text)`, without the call for short text that needs no escape. */
function quote(text: string): string {
  if (text.length > 32) return JSON.stringify(text)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // Control characters, `"`, `\` and surrogates (lone ones are escaped) take JSON's path.
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff))
      return JSON.stringify(text)
  }
  return `"${text}"`
}

function hex(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i] as number]
  return text
}

/**
 * A 128-bit hash of `text`'s UTF-16 code units (identical on every platform) as 32 hex digits:
 * four 32-bit multiply-rotate lanes with distinct multipliers, then a murmur3 finaliser that
 * mixes every lane into every other. Not cryptographic; accidental collisions are negligible
 * (about one in 10^19 among 2^32 distinct long renderings).
 *
 * @example
 * ```ts
 * hash128('"hello"') // '299b3fdc234af9e5aa9a617a6dc399b6'
 * ```
 */
export function hash128(text: string): string {
  let h1 = 0x6a09e667
  let h2 = 0xbb67ae85
  let h3 = 0x3c6ef372
  let h4 = 0xa54ff53a
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ code, 0x01000193)
    h1 = (h1 << 13) | (h1 >>> 19)
    h2 = Math.imul(h2 ^ code, 0x5bd1e995)
    h2 = (h2 << 15) | (h2 >>> 17)
    h3 = Math.imul(h3 ^ code, 0x85ebca6b)
    h3 = (h3 << 17) | (h3 >>> 15)
    h4 = Math.imul(h4 ^ code, 0xc2b2ae35)
    h4 = (h4 << 19) | (h4 >>> 13)
  }
  h1 ^= text.length
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  h1 = fmix(h1)
  h2 = fmix(h2)
  h3 = fmix(h3)
  h4 = fmix(h4)
  h1 = (h1 + h2 + h3 + h4) | 0
  h2 = (h2 + h1) | 0
  h3 = (h3 + h1) | 0
  h4 = (h4 + h1) | 0
  return word(h1) + word(h2) + word(h3) + word(h4)
}

function fmix(h: number): number {
  let x = h
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x
}

function word(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0')
}
