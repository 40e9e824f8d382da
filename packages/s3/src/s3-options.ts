import { CacheConfigError, invalidOption, optionNames } from '@stratacache/core'
import type { S3BackendOptions } from './s3-backend'

/** The options of `S3Store` that say where the objects live; the rest go to `BlobStore`. */
export const S3_BACKEND_OPTION_NAMES: readonly string[] = optionNames<S3BackendOptions>({
  client: true,
  region: true,
  endpoint: true,
  forcePathStyle: true,
  credentials: true,
  bucket: true,
})

/** The options that configure the client the store builds, and so cannot go with `client`. */
const CLIENT_SETTINGS = ['region', 'endpoint', 'forcePathStyle', 'credentials'] as const

const OWNER = 'S3Store'

/** For options that may hold a secret: what was given, without repeating it. */
function secretSafe(option: string, given: string, allowed: string): CacheConfigError {
  return new CacheConfigError(`${OWNER}: invalid option "${option}": got ${given}; expected ${allowed}`, {
    option,
  })
}

/**
 * Checks the S3 part of `S3Store`'s options once, in its constructor, and returns it (unknown
 * option names are refused by `BlobStore`, which knows every name).
 *
 * @throws `CacheConfigError` naming the option, what was given and what is allowed
 * @example
 * ```ts
 * const backendOptions = validateS3Options({ bucket: 'my-cache', region: 'eu-west-1' })
 * ```
 */
export function validateS3Options(options: S3BackendOptions): S3BackendOptions {
  const { client, region, endpoint, forcePathStyle, credentials, bucket } = options
  if (typeof bucket !== 'string' || bucket === '' || bucket.includes('/')) {
    throw invalidOption(OWNER, 'bucket', bucket, 'a bucket name such as "my-cache", without "/"')
  }
  if (client !== undefined) {
    if (typeof (client as { send?: unknown } | null)?.send !== 'function') {
      throw invalidOption(OWNER, 'client', client, 'an S3Client from @aws-sdk/client-s3')
    }
    const alongside = CLIENT_SETTINGS.find((name) => options[name] !== undefined)
    if (alongside !== undefined) {
      const settings = CLIENT_SETTINGS.map((name) => `"${name}"`).join('/')
      throw new CacheConfigError(
        `${OWNER}: invalid option "${alongside}": given together with "client"; expected either "client" or ${settings} (they configure the client the store builds)`,
        { option: alongside },
      )
    }
  }
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z0-9-]+$/.test(region))) {
    throw invalidOption(OWNER, 'region', region, 'an AWS region such as "eu-west-1"')
  }
  if (endpoint !== undefined) {
    let url: URL | undefined
    try {
      url = typeof endpoint === 'string' ? new URL(endpoint) : undefined
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      // An endpoint URL may carry a password: say what is wrong without repeating it.
      const given = typeof endpoint === 'string' ? 'a string that is not an http(s) URL' : typeof endpoint
      throw secretSafe('endpoint', given, 'an http(s) URL such as "http://127.0.0.1:9000"')
    }
  }
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') {
    throw invalidOption(OWNER, 'forcePathStyle', forcePathStyle, 'true or false')
  }
  if (
    credentials !== undefined &&
    (credentials === null || !['object', 'function'].includes(typeof credentials))
  ) {
    const given = credentials === null ? 'null' : `a ${typeof credentials}`
    throw secretSafe('credentials', given, '{ accessKeyId, secretAccessKey } or a credential provider')
  }
  return { client, region, endpoint, forcePathStyle, credentials, bucket }
}
