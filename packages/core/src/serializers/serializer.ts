import { CacheConfigError } from '../errors'

/**
 * Turns cached values into bytes and back, for byte-oriented stores (Redis, S3, GCS, file).
 *
 * The `id` is written into every entry's header, so a reader knows which serializer produced the
 * bytes it holds. Ids `1`–`127` are reserved for serializers shipped by stratacache
 * (`1` is {@link jsonSerializer}); give your own serializers an id in `128`–`255`.
 *
 * `encode` throws a `CacheSerializationError` for a value it cannot represent; `decode` throws a
 * `CacheSerializationError` for bytes it cannot read. The entry codec wraps any other error a
 * custom serializer throws into a `CacheSerializationError`.
 *
 * @example
 * ```ts
 * import { deserialize, serialize } from 'node:v8'
 * const structured: Serializer = { id: 128, name: 'v8', encode: (v) => serialize(v), decode: (b) => deserialize(b) }
 * new RedisStore({ client, serializer: structured })
 * ```
 */
export interface Serializer {
  /** One byte (an integer `1`–`255`) stored in each entry's header; unique among the serializers a store reads. */
  readonly id: number
  /** A short name for error messages, e.g. `'json'`. */
  readonly name: string
  /** Encodes a value to bytes. */
  encode(value: unknown): Uint8Array
  /** Decodes bytes produced by {@link Serializer.encode}. */
  decode(bytes: Uint8Array): unknown
}

/**
 * Checks that `value` is a usable {@link Serializer}.
 *
 * @param value - what the user passed
 * @param option - the option name for the error message, e.g. `'serializer'`
 * @throws {@link CacheConfigError} naming `option` when `value` is not a serializer
 * @example
 * ```ts
 * assertSerializer(options.serializer, 'serializer')
 * ```
 */
export function assertSerializer(value: unknown, option: string): asserts value is Serializer {
  const candidate = value as Partial<Serializer> | null
  const problem =
    typeof candidate !== 'object' || candidate === null
      ? 'is not an object'
      : !Number.isInteger(candidate.id) || (candidate.id as number) < 1 || (candidate.id as number) > 255
        ? `has id ${String(candidate.id)} (expected an integer from 1 to 255)`
        : typeof candidate.encode !== 'function' || typeof candidate.decode !== 'function'
          ? 'lacks an encode or decode function'
          : typeof candidate.name !== 'string'
            ? 'lacks a string name'
            : undefined
  if (problem !== undefined) {
    throw new CacheConfigError(`Invalid option "${option}": the serializer ${problem}`, { option })
  }
}
