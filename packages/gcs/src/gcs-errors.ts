/** The HTTP status of a `@google-cloud/storage` error (`ApiError.code`), when it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'number' ? code : undefined
}

/**
 * Whether a 404 means the object is absent (a miss), as opposed to the bucket (an error): GCS
 * answers "The specified bucket does not exist." for the latter.
 */
export function isMissingObject(error: unknown): boolean {
  return statusOf(error) === 404 && !isMissingBucket(error)
}

function isMissingBucket(error: unknown): boolean {
  return /bucket does not exist/i.test(messageOf(error))
}

/**
 * The error's message; for a download the client passes the response body on as the message,
 * so a JSON API error body is unwrapped to its `error.message`.
 */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (!message.startsWith('{')) return message
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } }
    return typeof body.error?.message === 'string' ? body.error.message : message
  } catch {
    return message
  }
}

/**
 * The client's error, restated so that it names the bucket (GCS's own messages often do not:
 * "The specified bucket does not exist.", a 403 naming only a permission) and says what to do
 * about a missing bucket or denied access. The client's error is the `cause`.
 */
export function bucketError(bucket: string, error: unknown): Error {
  const detail = messageOf(error)
  const status = statusOf(error)
  let hint = ''
  if (status === 404 && isMissingBucket(error)) hint = ' (create it, or fix the `bucket` option)'
  else if (status === 401 || status === 403) {
    hint = ' (grant the caller roles/storage.objectUser on the bucket, or check its credentials)'
  }
  const wrapped = new Error(`GCS bucket "${bucket}": ${detail}${hint}`, { cause: error })
  if (status !== undefined) Object.assign(wrapped, { status })
  return wrapped
}
