/**
 * A thin layer in front of the firebase-tools Cloud Storage emulator that makes it answer like
 * Cloud Storage where it falls short, so the store's tests exercise GCS semantics, not the
 * emulator's. Each deviation it corrects is named below (DEVIATION n); every other request
 * reaches the emulator untouched.
 *
 * 1. Buckets are created implicitly by any request that names them: a missing bucket never
 *    404s. Here a bucket exists only once created (`POST /storage/v1/b`); any other request
 *    naming it answers GCS's 404 "The specified bucket does not exist."
 * 2. The emulator has no bucket create or bucket metadata routes (`POST /storage/v1/b`,
 *    `GET /storage/v1/b/:bucket`): small shims answer them.
 * 3. Object names over 1,024 UTF-8 bytes are accepted; GCS rejects them with a 400.
 * 4. `ifGenerationMatch` preconditions are ignored on uploads (simple, multipart and resumable)
 *    and deletes. Here they are checked, and every mutation of one object is serialized
 *    (check, then the emulator's write, under a per-object lock), so a conditional write is
 *    atomic as on GCS: of 50 concurrent `ifGenerationMatch: 0` uploads exactly one succeeds.
 * 5. Generations are `Date.now()`, so two writes of one object in the same millisecond share a
 *    generation and a precondition on the first would also match the second. Here each write
 *    gets a strictly increasing generation (microseconds, as GCS's are).
 *
 * Fault knobs that are not deviations: `deny(bucket)` answers GCS's 403 for a caller without
 * access to a bucket.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { EmulatedStorageLayer, FirebaseStorageEmulator } from './firebase-storage-emulator'

/** GCS's limit on object names (UTF-8 bytes). */
const MAX_OBJECT_NAME_BYTES = 1024

/**
 * `[/upload|/download][/storage/v1]/b[/bucket][/o[/object]][/rest]`; buckets and objects are
 * single URL-encoded segments.
 */
const ROUTE = /^(\/upload|\/download)?(?:\/storage\/v1)?\/b(?:\/([^/]+))?(\/o(?:\/([^/]+))?)?(\/.*)?$/

interface Route {
  method: string
  url: URL
  /** Undefined for `/storage/v1/b` itself. */
  bucket: string | undefined
  /** True when the path goes on to the bucket's objects (`/o…`). */
  objects: boolean
  /** The object named by the path, or by the `name` query of an upload. */
  object: string | undefined
  upload: boolean
}

/** The fidelity layer: a request listener and its knobs. */
export interface GcsFidelity {
  /** Serves one request: corrected here, or passed on to the emulator's app. */
  readonly handle: RequestListener
  /** Creates a bucket (as `POST /storage/v1/b` would). */
  createBucket(name: string): void
  /** From now on every request on `bucket` answers 403 (`false`: access again). */
  deny(bucket: string, denied?: boolean): void
}

/** Wraps `emulator`'s app in the layer described at the top of this file. */
export function gcsFidelity(emulator: FirebaseStorageEmulator, projectId: string): GcsFidelity {
  const buckets = new Map<string, { timeCreated: string }>()
  const denied = new Set<string>()
  const locks = new KeyedLock()
  /** Preconditions given when a resumable upload began, by upload id, for its final PUT. */
  const resumablePreconditions = new Map<string, string>()
  useIncreasingGenerations(emulator.storageLayer)

  const createBucket = (name: string): boolean => {
    if (buckets.has(name)) return false
    buckets.set(name, { timeCreated: new Date().toISOString() })
    emulator.storageLayer.createBucket(name)
    return true
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = parseRoute(req)
    if (route === undefined) return forward(emulator.app, req, res)
    if (route.bucket === undefined) {
      // DEVIATION 2: bucket create.
      if (route.method !== 'POST') return forward(emulator.app, req, res)
      const body = JSON.parse((await readBody(req)) || '{}') as { name?: string }
      if (typeof body.name !== 'string' || body.name === '') return sendError(res, 400, 'Invalid bucket name')
      if (!createBucket(body.name)) {
        return sendError(
          res,
          409,
          'Your previous request to create the named bucket succeeded and you already own it.',
        )
      }
      return sendJson(res, 200, bucketResource(body.name, buckets.get(body.name)?.timeCreated))
    }
    if (denied.has(route.bucket)) {
      return sendError(
        res,
        403,
        `caller@${projectId}.iam.gserviceaccount.com does not have storage.objects.${permissionOf(route)} access to the Google Cloud Storage bucket ${route.bucket}. Permission denied on resource (or it may not exist).`,
      )
    }
    // DEVIATION 1: no implicit buckets.
    const bucket = buckets.get(route.bucket)
    if (bucket === undefined) return sendError(res, 404, 'The specified bucket does not exist.')
    if (!route.objects) {
      // DEVIATION 2: bucket metadata.
      if (route.method === 'GET') return sendJson(res, 200, bucketResource(route.bucket, bucket.timeCreated))
      return sendError(res, 501, `the GCS test harness has no ${route.method} route for buckets`)
    }
    // DEVIATION 3: name length.
    if (route.object !== undefined && Buffer.byteLength(route.object) > MAX_OBJECT_NAME_BYTES) {
      return sendError(
        res,
        400,
        `The maximum object length is ${MAX_OBJECT_NAME_BYTES} characters, but got a name with ${Buffer.byteLength(route.object)} characters.`,
      )
    }
    if (route.object === undefined || !isMutation(route)) return forward(emulator.app, req, res)
    // DEVIATION 4: preconditions, checked and applied under the object's lock.
    const bucketName = route.bucket
    const objectName = route.object
    await locks.run(`${bucketName}/${objectName}`, async () => {
      const query = route.url.searchParams
      const uploadId = query.get('upload_id')
      const expected =
        query.get('ifGenerationMatch') ?? (uploadId === null ? null : resumablePreconditions.get(uploadId))
      if (uploadId !== null && route.method === 'PUT') resumablePreconditions.delete(uploadId)
      const startsResumable = route.method === 'POST' && query.get('uploadType') === 'resumable'
      if (expected != null && !startsResumable) {
        const current = emulator.storageLayer.getMetadata(bucketName, objectName)
        const holds =
          expected === '0'
            ? current === undefined
            : current !== undefined && String(current.generation) === expected
        if (!holds && !(current === undefined && route.method === 'DELETE')) {
          return sendError(
            res,
            412,
            'At least one of the pre-conditions you specified did not hold.',
            'conditionNotMet',
          )
        }
      }
      if (startsResumable && expected != null) {
        res.once('finish', () => {
          const location = res.getHeader('location')
          const id = typeof location === 'string' ? new URL(location).searchParams.get('upload_id') : null
          if (id !== null) resumablePreconditions.set(id, expected)
        })
      }
      await forward(emulator.app, req, res)
    })
  }

  return {
    handle: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, `GCS test harness: ${String(error)}`)
        else res.destroy()
      })
    },
    createBucket: (name) => void createBucket(name),
    deny: (bucket, isDenied = true) => void (isDenied ? denied.add(bucket) : denied.delete(bucket)),
  }
}

function parseRoute(req: IncomingMessage): Route | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const match = ROUTE.exec(url.pathname)
  if (match === null) return undefined
  const [, kind, bucket, objects, object] = match
  const upload = kind === '/upload'
  const named =
    object === undefined ? (upload ? url.searchParams.get('name') : null) : decodeURIComponent(object)
  return {
    method: req.method ?? 'GET',
    url,
    bucket: bucket === undefined ? undefined : decodeURIComponent(bucket),
    objects: objects !== undefined,
    object: named ?? undefined,
    upload,
  }
}

function isMutation(route: Route): boolean {
  if (route.upload) return route.method === 'POST' || route.method === 'PUT'
  return route.method === 'DELETE' || route.method === 'PATCH'
}

function permissionOf(route: Route): string {
  if (route.upload) return 'create'
  if (route.method === 'DELETE') return 'delete'
  return route.object === undefined ? 'list' : 'get'
}

/** DEVIATION 5: every upload gets a strictly increasing generation. */
function useIncreasingGenerations(layer: EmulatedStorageLayer): void {
  let last = 0
  const upload = layer.uploadObject.bind(layer)
  layer.uploadObject = async (request) => {
    const metadata = await upload(request)
    last = Math.max(last + 1, Date.now() * 1000)
    metadata.generation = last
    return metadata
  }
}

/** Runs the emulator's app on the request and resolves when the response is over. */
function forward(app: RequestListener, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.once('close', resolve)
    app(req, res)
  })
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** An error in the JSON API's shape. */
function sendError(res: ServerResponse, status: number, message: string, reason = reasonOf(status)): void {
  sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } })
}

function reasonOf(status: number): string {
  return (
    { 400: 'invalid', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 412: 'conditionNotMet' }[status] ??
    'backendError'
  )
}

function bucketResource(name: string, timeCreated = new Date().toISOString()) {
  return {
    kind: 'storage#bucket',
    id: name,
    name,
    projectNumber: '0',
    metageneration: '1',
    location: 'US',
    storageClass: 'STANDARD',
    locationType: 'multi-region',
    timeCreated,
    updated: timeCreated,
    etag: 'CAE=',
  }
}

/** One task at a time per key, in arrival order. */
class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>()

  async run(key: string, task: () => Promise<void>): Promise<void> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const current = previous.then(task, task)
    const tail = current.catch(() => undefined)
    this.#tails.set(key, tail)
    try {
      await current
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
