/**
 * Turns what `@aws-sdk/client-s3` throws into errors that say what is wrong in the terms of this
 * store: which S3 operation, on which bucket, and what to change. Credentials never appear.
 * @packageDocumentation
 */

/** The S3 API operations the backend calls, as IAM and CloudTrail name them. */
export type S3Operation =
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'ListObjectsV2'

interface SdkErrorShape {
  name?: unknown
  Code?: unknown
  code?: unknown
  message?: unknown
  $metadata?: { httpStatusCode?: number }
}

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`, …) or the Node.js one (`ECONNREFUSED`). */
export function s3ErrorCode(error: unknown): string {
  const shape = (error ?? {}) as SdkErrorShape
  for (const candidate of [shape.Code, shape.code, shape.name]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate
  }
  return 'UnknownError'
}

/** The HTTP status of an S3 error response, when there was one. */
export function s3ErrorStatus(error: unknown): number | undefined {
  return ((error ?? {}) as SdkErrorShape).$metadata?.httpStatusCode
}

/** The error is the SDK giving up because the caller's `abortSignal` fired. */
export function isAbort(error: unknown): boolean {
  return s3ErrorCode(error) === 'AbortError'
}

/** A missing object (not a missing bucket): `NoSuchKey` from GetObject, a bare 404 from HeadObject. */
export function isMissingObject(error: unknown): boolean {
  const code = s3ErrorCode(error)
  return code === 'NoSuchKey' || (code === 'NotFound' && s3ErrorStatus(error) === 404)
}

/**
 * A conditional write whose condition did not hold: `412 PreconditionFailed`, `409
 * ConditionalRequestConflict` (another conditional write on the name was in progress), or `404
 * NoSuchKey` for `If-Match` on an object deleted meanwhile.
 */
export function isFailedCondition(error: unknown): boolean {
  const code = s3ErrorCode(error)
  const status = s3ErrorStatus(error)
  return (
    code === 'PreconditionFailed' ||
    code === 'ConditionalRequestConflict' ||
    code === 'NoSuchKey' ||
    status === 412 ||
    (status === 409 && code !== 'OperationAborted')
  )
}

/** The IAM action each operation needs (README: "IAM permissions"). */
export const IAM_ACTION: Readonly<Record<S3Operation, string>> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
}

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
])

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])

function explain(code: string, status: number | undefined, operation: S3Operation, bucket: string): string {
  if (code === 'NoSuchBucket') {
    return 'the bucket does not exist (check the `bucket` and `region` options, or create the bucket)'
  }
  if (CREDENTIAL_CODES.has(code)) return `the credentials were rejected (${code})`
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403) {
    const resource = operation === 'ListObjectsV2' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/*`
    return `access denied (${code}): the credentials need ${IAM_ACTION[operation]} on ${resource}`
  }
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || status === 301) {
    return `the bucket is in another region than the client's (${code}): set the \`region\` option`
  }
  if (NETWORK_CODES.has(code)) return `the S3 endpoint could not be reached (${code})`
  if (code === 'KeyTooLongError') return 'the object name is longer than S3 allows (1,024 bytes)'
  return status === undefined ? code : `${code} (HTTP ${status})`
}

/**
 * An `Error` that names the S3 operation, the bucket and what went wrong, with the SDK's error as
 * `cause`. `BlobStore` wraps it in a `CacheStoreError` naming the cache operation and key.
 *
 * @example
 * ```ts
 * describeS3Error(error, 'PutObject', 'my-cache')
 * // Error: S3 PutObject on bucket "my-cache" failed: the bucket does not exist (…)
 * ```
 */
export function describeS3Error(error: unknown, operation: S3Operation, bucket: string): Error {
  const reason = explain(s3ErrorCode(error), s3ErrorStatus(error), operation, bucket)
  return new Error(`S3 ${operation} on bucket "${bucket}" failed: ${reason}`, { cause: error })
}
