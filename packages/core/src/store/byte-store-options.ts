import { CacheConfigError } from '../errors'
import { defaultErrorHandler, type ErrorHandler } from '../instance-defaults'
import { EntryCodec, type EntryCodecOptions } from './codec'

/**
 * Options every byte-oriented store (Redis, S3, GCS, file) accepts; each store's options extend
 * this interface. See {@link EntryCodecOptions} for `serializer`, `readSerializers` and `compress`.
 *
 * @example
 * ```ts
 * new FileStore({ dir: '/var/cache/app', compress: true, onError: (e) => logger.warn(e) })
 * ```
 */
export interface ByteStoreOptions extends EntryCodecOptions {
  /**
   * Receives errors the store handles itself, without failing the operation: above all the
   * `CacheSerializationError` of an entry that does not decode (truncated, corrupt, written by an
   * unknown serializer), which the store then treats as a miss and deletes.
   * @defaultValue {@link defaultErrorHandler} (one warning line per error)
   * @example
   * ```ts
   * new RedisStore({ client, onError: (error) => metrics.increment('cache.corrupt') })
   * ```
   */
  onError?: ErrorHandler
}

/** What {@link resolveByteStoreOptions} hands a byte store. */
export interface ResolvedByteStoreOptions {
  /** The codec built from `serializer`, `readSerializers` and `compress`. */
  codec: EntryCodec
  /** `onError`, or {@link defaultErrorHandler}. */
  onError: ErrorHandler
}

/**
 * Validates the {@link ByteStoreOptions} part of a store's options, once, in its constructor.
 *
 * @param storeName - the store's name, prefixed to error messages (e.g. `'redis'`)
 * @param options - the store's options
 * @throws {@link CacheConfigError} naming the store and the option at fault
 * @example
 * ```ts
 * class MyStore {
 *   readonly #codec: EntryCodec
 *   readonly #onError: ErrorHandler
 *   constructor(options: MyStoreOptions) {
 *     ;({ codec: this.#codec, onError: this.#onError } = resolveByteStoreOptions('my-store', options))
 *   }
 * }
 * ```
 */
export function resolveByteStoreOptions(
  storeName: string,
  options: ByteStoreOptions,
): ResolvedByteStoreOptions {
  const { onError = defaultErrorHandler } = options
  if (typeof onError !== 'function') {
    throw new CacheConfigError(`${storeName}: Invalid option "onError": expected a function`, {
      option: 'onError',
    })
  }
  let codec: EntryCodec
  try {
    codec = new EntryCodec(options)
  } catch (error) {
    if (!CacheConfigError.isInstance(error)) throw error
    throw new CacheConfigError(`${storeName}: ${error.message}`, {
      option: error.option,
      cause: error,
    })
  }
  return { codec, onError }
}
