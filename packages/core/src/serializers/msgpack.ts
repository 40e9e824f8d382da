/**
 * `@stratacache/core/msgpack`: a MessagePack {@link Serializer} over `msgpackr`, which the
 * application installs (`npm install msgpackr`) and this entry loads as the application sees it —
 * core declares no peer on it, so installs without msgpack show no unmet optional dependency.
 * A separate entry point, so the main entry never loads it.
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { CacheConfigError } from '../errors'
import type { Serializer } from './serializer'

/** The part of msgpackr this serializer uses. */
interface MsgpackrModule {
  Packr: new (
    options: Record<string, unknown>,
  ) => { pack(value: unknown): Uint8Array; unpack(bytes: Uint8Array): unknown }
}

/**
 * Loads msgpackr synchronously: resolved from this file (`__filename` in the CommonJS build,
 * `import.meta.url` in ESM), else from the application's entry script and working directory (a
 * pnpm layout without hoisting does not show the application's packages to core).
 */
function loadMsgpackr(): MsgpackrModule {
  const here = typeof __filename === 'string' ? __filename : import.meta.url
  const bases = [here, process.argv[1], `${process.cwd()}/noop.js`].filter((base) => typeof base === 'string')
  let firstMiss: unknown
  for (const base of bases) {
    try {
      return createRequire(base)('msgpackr') as MsgpackrModule
    } catch (error) {
      firstMiss ??= error
    }
  }
  throw new CacheConfigError(
    '@stratacache/core/msgpack needs "msgpackr" in your application: install it (npm install msgpackr) or use the default json serializer',
    { option: 'serializer', cause: firstMiss },
  )
}

const { Packr } = loadMsgpackr()

/**
 * msgpackr's configuration, fixed because it is part of the bytes: `Map`, `Set`, typed arrays,
 * `RegExp` and `Error` as msgpackr extensions (`moreTypes`), `Date` as the MessagePack timestamp,
 * bigints of any size, `undefined` kept; objects as self-describing records (each message carries
 * its own structures, so any process decodes it, and plain objects and `Map`s stay apart).
 */
const packr = new Packr({ moreTypes: true, useRecords: true, int64AsType: 'bigint' })

/**
 * A {@link Serializer} writing MessagePack with `msgpackr` (serializer id `2`). It round-trips what
 * the json serializer does — plain objects, arrays, primitives, `undefined`, `NaN`, bigints,
 * `Date`, `Map`, `Set`, `RegExp`, typed arrays (`Buffer` included) and `ArrayBuffer` — and is
 * smaller and faster for numbers and bytes: a double takes 9 bytes instead of up to 24 characters,
 * and binary data is stored as it is instead of base64. Every byte store accepts it
 * (`serializer` option); any store reads entries written with it as long as it is configured
 * with it (or lists it in `readSerializers`).
 *
 * Differences from the json serializer, all from msgpackr: class instances are stored as plain
 * objects (json refuses them), functions become `undefined`, `-0` becomes `0`, and an own
 * `__proto__` key is not kept.
 *
 * @throws {@link CacheConfigError} when imported without `msgpackr` installed
 * @example
 * ```ts
 * import { msgpackSerializer } from '@stratacache/core/msgpack'
 * const store = new RedisStore({ url: process.env.REDIS_URL, serializer: msgpackSerializer })
 * ```
 */
export const msgpackSerializer: Serializer = Object.freeze({
  id: 2,
  name: 'msgpack',
  // A failure is wrapped by the entry codec into a CacheSerializationError naming the key.
  encode: (value: unknown): Uint8Array => packr.pack(value),
  decode: (bytes: Uint8Array): unknown => packr.unpack(bytes),
})
