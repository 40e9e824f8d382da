import { CacheSerializationError } from '../errors'
import { fromBase64, toBase64 } from './base64'
import type { Serializer } from './serializer'

/**
 * The key that marks a tagged value: `{"$$t":"Date","v":1700000000000}`. A user object that has
 * an own `$$t` key is itself wrapped as `{"$$t":"object","v":{...}}`, so user data is never
 * mistaken for a tag.
 */
const TAG = '$$t'
/**
 * Present in the JSON text whenever a tag (or an escaped user key) is: decoding skips the revive
 * walk otherwise. Starts with the rare `$` rather than the frequent `"`, which makes the search
 * fast. A string value never contains it (JSON escapes its `"` as `\"`); a key ending in `$$t`
 * does, which only costs that value the walk.
 */
const TAG_NEEDLE = `${TAG}"`

type Tagged = { [TAG]: string; v?: unknown }

const UNDEFINED: Tagged = Object.freeze({ [TAG]: 'undefined' })

/** The typed arrays the serializer keeps, by their `Symbol.toStringTag` name (a `Buffer` reports `'Uint8Array'`). */
const TYPED_ARRAYS = new Map<
  string,
  { new (buffer: ArrayBuffer, offset: number, length: number): ArrayBufferView; BYTES_PER_ELEMENT: number }
>([
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
])

const SUPPORTED =
  'plain objects, arrays, primitives, Date, Map, Set, RegExp, typed arrays (including Buffer) and ArrayBuffer'

/** Thrown inside the encoder; `path` grows as it unwinds, so the final message names where the problem is. */
class EncodeFailure {
  path = ''
  constructor(
    readonly problem: string,
    readonly cause?: unknown,
  ) {}
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

/** Prepends `segment` to the failure's path; an error thrown by user code (a getter) becomes a failure here. */
function atSegment(error: unknown, segment: string): unknown {
  if (error instanceof RangeError) return error // stack overflow: handled at the top, see `encodeTree`
  const failure =
    error instanceof EncodeFailure
      ? error
      : new EncodeFailure(
          `could not be read: ${error instanceof Error ? error.message : String(error)}`,
          error,
        )
  failure.path = segment + failure.path
  return failure
}

function encodeValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0) ? value : encodeNumber(value)
    case 'object':
      return value === null ? null : encodeObject(value)
    case 'undefined':
      return UNDEFINED
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() }
    default:
      throw new EncodeFailure(`is a ${typeof value}`)
  }
}

function encodeNumber(value: number): Tagged {
  return { [TAG]: 'number', v: Number.isNaN(value) ? 'NaN' : value === 0 ? '-0' : String(value) }
}

function encodeObject(value: object): unknown {
  if (Array.isArray(value)) return encodeArray(value)
  const prototype = Object.getPrototypeOf(value)
  if (prototype === Object.prototype || prototype === null)
    return encodePlainObject(value as Record<string, unknown>)
  if (value instanceof Date) return { [TAG]: 'Date', v: value.getTime() }
  if (value instanceof Map) return encodeMap(value)
  if (value instanceof Set) return encodeSet(value)
  if (value instanceof RegExp) return { [TAG]: 'RegExp', v: [value.source, value.flags] }
  if (ArrayBuffer.isView(value)) {
    const name = (value as Uint8Array)[Symbol.toStringTag]
    if (name !== undefined && TYPED_ARRAYS.has(name)) {
      return { [TAG]: name, v: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) }
    }
  }
  if (value instanceof ArrayBuffer) return { [TAG]: 'ArrayBuffer', v: toBase64(new Uint8Array(value)) }
  const constructorName = (prototype as { constructor?: { name?: unknown } }).constructor?.name
  throw new EncodeFailure(
    `is an instance of ${typeof constructorName === 'string' && constructorName !== '' ? constructorName : 'a class'}; the json serializer keeps only ${SUPPORTED} (convert it to plain data, or use a custom serializer)`,
  )
}

function encodeArray(array: unknown[]): unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < array.length; i++) {
    const item = array[i]
    let encoded: unknown
    try {
      encoded = encodeValue(item)
    } catch (error) {
      throw atSegment(error, `[${i}]`)
    }
    if (out !== undefined) out.push(encoded)
    else if (encoded !== item) {
      out = array.slice(0, i)
      out.push(encoded)
    }
  }
  return out ?? array
}

function encodePlainObject(object: Record<string, unknown>): unknown {
  let out: Record<string, unknown> | undefined
  const keys = Object.keys(object)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    let item: unknown
    let encoded: unknown
    try {
      item = object[key]
      encoded = encodeValue(item)
    } catch (error) {
      throw atSegment(error, propertySegment(key))
    }
    if (out === undefined && encoded !== item) {
      out = {}
      for (let j = 0; j < i; j++) setOwn(out, keys[j]!, object[keys[j]!])
    }
    if (out !== undefined) setOwn(out, key, encoded)
  }
  const result = out ?? object
  return Object.hasOwn(object, TAG) ? { [TAG]: 'object', v: result } : result
}

/** Defines an own property even for the key `__proto__` (a plain assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function encodeMap(map: Map<unknown, unknown>): Tagged {
  const flat: unknown[] = []
  let index = 0
  for (const [key, item] of map) {
    try {
      flat.push(encodeValue(key))
    } catch (error) {
      throw atSegment(error, `.keys()[${index}]`)
    }
    try {
      flat.push(encodeValue(item))
    } catch (error) {
      const primitiveKey =
        typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' ? String(key) : undefined
      throw atSegment(error, primitiveKey === undefined ? `.values()[${index}]` : `.get(${primitiveKey})`)
    }
    index++
  }
  return { [TAG]: 'Map', v: flat }
}

function encodeSet(set: Set<unknown>): Tagged {
  const members: unknown[] = []
  let index = 0
  for (const member of set) {
    try {
      members.push(encodeValue(member))
    } catch (error) {
      throw atSegment(error, `.values()[${index}]`)
    }
    index++
  }
  return { [TAG]: 'Set', v: members }
}

/** The children the encoder visits, for the cycle search that runs only after a failure. */
function childrenOf(value: object): [string, unknown][] {
  if (Array.isArray(value)) return value.map((item, i) => [`[${i}]`, item])
  if (value instanceof Map) {
    return [...value].flatMap(([key, item], i): [string, unknown][] => [
      [`.keys()[${i}]`, key],
      [`.values()[${i}]`, item],
    ])
  }
  if (value instanceof Set) return [...value].map((member, i) => [`.values()[${i}]`, member])
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return []
  return Object.keys(value).map((key) => [propertySegment(key), (value as Record<string, unknown>)[key]])
}

/** Finds a reference back to an ancestor, iteratively (the value may be too deep to recurse). */
function findCycle(root: unknown): string | undefined {
  type Frame = { value: object; path: string; children: [string, unknown][]; next: number }
  if (typeof root !== 'object' || root === null) return undefined
  const ancestors = new Map<object, string>([[root, 'value']])
  const stack: Frame[] = [{ value: root, path: 'value', children: childrenOf(root), next: 0 }]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const child = frame.children[frame.next++]
    if (child === undefined) {
      ancestors.delete(frame.value)
      stack.pop()
      continue
    }
    const [segment, item] = child
    if (typeof item !== 'object' || item === null) continue
    const path = frame.path + segment
    const ancestorPath = ancestors.get(item)
    if (ancestorPath !== undefined) return `${path} refers back to ${ancestorPath}`
    ancestors.set(item, path)
    stack.push({ value: item, path, children: childrenOf(item), next: 0 })
  }
  return undefined
}

/**
 * Whether `JSON.stringify(value)` already round-trips `value`: the fast path, a read-only walk
 * that stops at the first value needing a tag. Anything unusual (a throwing getter, a cycle
 * overflowing the stack) answers `false` and leaves the diagnosis to {@link encodeTree}.
 */
function isPlainJson(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return true
  // `value - value === 0` is false exactly for NaN and ±Infinity
  if (typeof value === 'number') return value - value === 0 && (value !== 0 || 1 / value > 0)
  if (typeof value !== 'object') return false
  if (value === null) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false
    return true
  }
  const prototype = Object.getPrototypeOf(value)
  // `in` also sees inherited keys: merely conservative (the slow path then decides)
  if ((prototype !== Object.prototype && prototype !== null) || TAG in value) return false
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key])) return false
  return true
}

/** Encodes `value` into a JSON-safe tree (the same reference where nothing needs a tag). */
function encodeTree(value: unknown): unknown {
  try {
    if (isPlainJson(value)) return value
  } catch {
    // a getter threw or the stack overflowed: the full encoder below names the problem
  }
  try {
    return encodeValue(value)
  } catch (error) {
    if (error instanceof EncodeFailure) {
      throw new CacheSerializationError(
        `Cannot encode value${error.path} with the json serializer: it ${error.problem}`,
        {
          cause: error.cause,
        },
      )
    }
    if (error instanceof RangeError) {
      const cycle = findCycle(value)
      throw new CacheSerializationError(
        cycle === undefined
          ? 'Cannot encode value with the json serializer: it is nested too deeply'
          : `Cannot encode value with the json serializer: it contains a cyclic reference (${cycle})`,
        { cause: error },
      )
    }
    throw error
  }
}

/** A tagged value that does not have the shape the encoder writes. */
class DecodeFailure extends Error {}

function reviveValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (typeof item === 'object' && item !== null) value[i] = reviveValue(item)
    }
    return value
  }
  return Object.hasOwn(value, TAG)
    ? reviveTagged(value as Tagged)
    : reviveFields(value as Record<string, unknown>)
}

/** Revives an object's values in place (JSON.parse made every key, `__proto__` included, an own data property). */
function reviveFields(object: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(object)) {
    const item = object[key]
    if (typeof item === 'object' && item !== null) object[key] = reviveValue(item)
  }
  return object
}

const SPECIAL_NUMBERS = new Map<unknown, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
])
const INTEGER = /^-?\d+$/

function reviveTagged(tagged: Tagged): unknown {
  const tag = tagged[TAG]
  const v = tagged.v
  switch (tag) {
    case 'undefined':
      return undefined
    case 'number': {
      const number = SPECIAL_NUMBERS.get(v)
      if (number === undefined) throw new DecodeFailure(`bad number ${JSON.stringify(v)}`)
      return number
    }
    case 'bigint':
      if (typeof v !== 'string' || !INTEGER.test(v)) throw new DecodeFailure('bad bigint')
      return BigInt(v)
    case 'Date':
      if (typeof v !== 'number' && v !== null) throw new DecodeFailure('bad Date')
      return new Date(v ?? Number.NaN)
    case 'Map': {
      if (!Array.isArray(v) || v.length % 2 !== 0) throw new DecodeFailure('bad Map')
      const map = new Map()
      for (let i = 0; i < v.length; i += 2) map.set(reviveValue(v[i]), reviveValue(v[i + 1]))
      return map
    }
    case 'Set':
      if (!Array.isArray(v)) throw new DecodeFailure('bad Set')
      return new Set(v.map(reviveValue))
    case 'RegExp':
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string')
        throw new DecodeFailure('bad RegExp')
      return new RegExp(v[0], v[1])
    case 'object':
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new DecodeFailure('bad escaped object')
      return reviveFields(v as Record<string, unknown>)
    case 'ArrayBuffer':
      return decodeBytes(v).buffer
    default: {
      const TypedArray = typeof tag === 'string' ? TYPED_ARRAYS.get(tag) : undefined
      if (TypedArray === undefined) throw new DecodeFailure(`unknown type tag ${JSON.stringify(tag)}`)
      const bytes = decodeBytes(v)
      if (bytes.length % TypedArray.BYTES_PER_ELEMENT !== 0) throw new DecodeFailure(`bad ${tag} length`)
      return new TypedArray(bytes.buffer, 0, bytes.length / TypedArray.BYTES_PER_ELEMENT)
    }
  }
}

function decodeBytes(v: unknown): Uint8Array<ArrayBuffer> {
  const bytes = typeof v === 'string' ? fromBase64(v) : undefined
  if (bytes === undefined) throw new DecodeFailure('bad base64 data')
  return bytes
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The default serializer (id `1`): JSON that keeps what plain JSON loses.
 *
 * Round-trips, at any depth and mixed freely: strings, booleans, `null`, numbers including
 * `NaN`, `±Infinity` and `-0`, `undefined` (as a value, an object property or an array item),
 * `BigInt`, `Date` (invalid dates too), `Map`, `Set`, `RegExp` (source and flags), `ArrayBuffer`
 * and typed arrays (stored in the platform's byte order, little-endian on every supported
 * runtime). A Node `Buffer` comes back as a plain `Uint8Array` (core stays runtime-agnostic);
 * subclasses of `Date`, `Map`, `Set` and `RegExp` come back as the base class. Plain objects keep
 * their own enumerable string keys (including `__proto__` and keys that look like the
 * serializer's `$$t` type tag, which are escaped); symbol keys and non-enumerable properties are
 * dropped, as `JSON.stringify` drops them; objects with a `null` prototype come back
 * with `Object.prototype`. Array holes come back as `undefined`. Shared references are copied,
 * not shared, on the way back.
 *
 * Throws `CacheSerializationError` naming the path (e.g. `value.user.cb`) for a function, a
 * symbol, a cyclic reference, or an instance of any other class (a class instance would come back
 * as a plain object without its methods, so it is refused rather than silently changed).
 *
 * Plain JSON-safe values take a fast path: a read-only check, then `JSON.stringify`.
 *
 * @example
 * ```ts
 * const bytes = jsonSerializer.encode({ at: new Date(0), ids: new Set([1n]) })
 * jsonSerializer.decode(bytes) // { at: Date(0), ids: Set { 1n } }
 * ```
 */
export const jsonSerializer: Serializer = Object.freeze({
  id: 1,
  name: 'json',
  encode(value: unknown): Uint8Array {
    return textEncoder.encode(JSON.stringify(encodeTree(value)))
  },
  decode(bytes: Uint8Array): unknown {
    let text: string
    let parsed: unknown
    try {
      text = textDecoder.decode(bytes)
      parsed = JSON.parse(text)
    } catch (error) {
      throw new CacheSerializationError('invalid json payload: not valid UTF-8 JSON', { cause: error })
    }
    if (!text.includes(TAG_NEEDLE)) return parsed
    try {
      return reviveValue(parsed)
    } catch (error) {
      throw new CacheSerializationError(
        `invalid json payload: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
  },
})
