/**
 * The thin layer that makes fauxqs 1.9.2 answer like Amazon S3 where it does not. Each deviation
 * was found by running the real `@aws-sdk/client-s3` against fauxqs; each fix is named below and
 * touches only what differs, so everything else the tests exercise is fauxqs's own behaviour.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FauxqsS3Store } from './fauxqs-internals'

/** S3's limit on an object name, in UTF-8 bytes. */
export const S3_MAX_KEY_BYTES = 1024

/** S3's limit on a single PutObject body (5 GiB). */
const S3_MAX_PUT_BYTES = 5 * 1024 ** 3

function s3ErrorXml(code: string, message: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>fidelity</RequestId></Error>`
}

function sendS3Error(reply: FastifyReply, status: number, code: string, message: string, extra = ''): void {
  reply
    .header('content-type', 'application/xml')
    .status(status)
    .send(s3ErrorXml(code, message, extra))
}

const PRECONDITION_FAILED = 'At least one of the pre-conditions you specified did not hold'
const CONFLICT =
  'A conflicting conditional operation is currently in progress against this resource. Please try again.'

/** The bucket and object name of an object-level request, or `undefined` for bucket-level ones. */
function objectOf(request: FastifyRequest): { bucket: string; key: string } | undefined {
  const params = request.params as { bucket?: string; '*'?: string } | undefined
  const key = params?.['*']
  if (params?.bucket === undefined || key === undefined || key === '') return undefined
  return { bucket: params.bucket, key }
}

/** Compares two names as S3 orders them: by their UTF-8 bytes. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Deviation 1 — ListObjectsV2 paging order. fauxqs sorts names with `localeCompare` but pages
 * with `name <= startAfter` (code-unit order), so after the first page it skips and repeats
 * names whose order differs between the two (mixed case: `B` < `a` in bytes, not in the locale).
 * S3 lists in UTF-8 byte order; this sorts and filters the same way.
 */
export function fixListingOrder(store: FauxqsS3Store): void {
  const original = Object.getPrototypeOf(store).listObjects as FauxqsS3Store['listObjects']
  store.listObjects = function listObjects(bucket, options = {}) {
    const objects = store.buckets.get(bucket)
    // Delimiters are not used by the store under test; leave them (and missing buckets) to fauxqs.
    if (objects === undefined || (options as { delimiter?: string }).delimiter) {
      return original.call(store, bucket, options)
    }
    const {
      prefix = '',
      maxKeys = 1000,
      startAfter,
      marker,
    } = options as {
      prefix?: string
      maxKeys?: number
      startAfter?: string
      marker?: string
    }
    const after = startAfter || marker || ''
    const names = [...objects.keys()]
      .filter((name) => name.startsWith(prefix) && (after === '' || compareUtf8(name, after) > 0))
      .sort(compareUtf8)
    return {
      objects: names.slice(0, maxKeys).map((name) => objects.get(name)),
      commonPrefixes: [],
      isTruncated: names.length > maxKeys,
    }
  }
}

/**
 * Deviation 2 — object names over 1,024 bytes. fauxqs stores them; S3 rejects them with
 * `400 KeyTooLongError`, so a store that produced such a name would fail in production.
 */
function rejectLongNames(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const object = objectOf(request)
    if (object !== undefined && Buffer.byteLength(object.key, 'utf8') > S3_MAX_KEY_BYTES) {
      sendS3Error(reply, 400, 'KeyTooLongError', 'Your key is too long')
      return
    }
    done()
  })
}

/** S3's limit on the user-defined metadata of an object: keys and values, UTF-8 bytes. */
export const S3_MAX_METADATA_BYTES = 2048

/**
 * Deviation 5 — user metadata over 2 KB. fauxqs keeps any amount; S3 refuses a PutObject whose
 * `x-amz-meta-*` names and values exceed 2 KB with `400 MetadataTooLarge`, so a store that put
 * unbounded data (tags, long keys) in metadata would fail only in production.
 */
function limitMetadata(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'PUT' || objectOf(request) === undefined) {
      done()
      return
    }
    let bytes = 0
    for (const [name, value] of Object.entries(request.headers)) {
      if (!name.startsWith('x-amz-meta-')) continue
      bytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(String(value ?? ''))
    }
    if (bytes > S3_MAX_METADATA_BYTES) {
      sendS3Error(
        reply,
        400,
        'MetadataTooLarge',
        'Your metadata headers exceed the maximum allowed metadata size.',
      )
      return
    }
    done()
  })
}

/**
 * Deviation 3 — the body limit. fauxqs's server refuses bodies over 11 MiB (`413`); S3 takes up to
 * 5 GiB in one PutObject, and a 10 MiB value may encode a little larger. The wildcard (binary)
 * body parser is registered again with S3's limit; it replaces fauxqs's own.
 */
function raiseBodyLimit(app: FastifyInstance): void {
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: S3_MAX_PUT_BYTES },
    (_request, body, done) => {
      done(null, body)
    },
  )
}

/**
 * Deviation 4 — conditional writes and deletes. fauxqs ignores `If-None-Match` and `If-Match` on
 * PutObject and `If-Match` on DeleteObject, and always writes or deletes. S3 answers `412
 * PreconditionFailed` when the condition does not hold, `404 NoSuchKey` for `If-Match` on a
 * missing object, and `409 ConditionalRequestConflict` to a conditional request that races
 * another one on the same name. The check runs right before fauxqs's handler acts; a name stays
 * reserved until its conditional request has been answered, so two conditional requests can
 * never both pass the same check.
 */
function enforceConditionalRequests(app: FastifyInstance, store: FauxqsS3Store): void {
  const inFlight = new Set<string>()
  const held = new WeakMap<FastifyRequest, string>()
  app.addHook('preHandler', (request, reply, done) => {
    const object = objectOf(request)
    const ifNoneMatch = request.method === 'PUT' ? request.headers['if-none-match'] : undefined
    const ifMatch = request.headers['if-match']
    const conditional = ifNoneMatch !== undefined || ifMatch !== undefined
    if ((request.method !== 'PUT' && request.method !== 'DELETE') || object === undefined || !conditional) {
      done()
      return
    }
    const id = `${object.bucket}/${object.key}`
    if (inFlight.has(id)) {
      sendS3Error(reply, 409, 'ConditionalRequestConflict', CONFLICT)
      return
    }
    const current = store.buckets.get(object.bucket)?.get(object.key)
    if (ifNoneMatch !== undefined && current !== undefined) {
      sendS3Error(
        reply,
        412,
        'PreconditionFailed',
        PRECONDITION_FAILED,
        '<Condition>If-None-Match</Condition>',
      )
      return
    }
    if (ifMatch !== undefined && current === undefined && store.buckets.has(object.bucket)) {
      sendS3Error(reply, 404, 'NoSuchKey', 'The specified key does not exist.')
      return
    }
    if (ifMatch !== undefined && current !== undefined && ifMatch !== current.etag) {
      sendS3Error(reply, 412, 'PreconditionFailed', PRECONDITION_FAILED, '<Condition>If-Match</Condition>')
      return
    }
    inFlight.add(id)
    held.set(request, id)
    done()
  })
  const release = (request: FastifyRequest): void => {
    const id = held.get(request)
    if (id !== undefined) inFlight.delete(id)
  }
  app.addHook('onResponse', (request, _reply, done) => {
    release(request)
    done()
  })
  app.addHook('onRequestAbort', (request, done) => {
    release(request)
    done()
  })
}

/** Applies every fix above to a fauxqs app built with `store`, before it listens. */
export function applyS3Fidelity(app: FastifyInstance, store: FauxqsS3Store): void {
  fixListingOrder(store)
  rejectLongNames(app)
  limitMetadata(app)
  raiseBodyLimit(app)
  enforceConditionalRequests(app, store)
}
