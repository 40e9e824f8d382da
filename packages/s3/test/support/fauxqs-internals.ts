/**
 * The one piece of fauxqs the public entry does not export: its S3 object store, which the
 * fidelity layer (`s3-fidelity.ts`) needs to check a conditional write against the current ETag
 * in the same synchronous step as the write, and to fix its listing order. fauxqs 1.9.2 is pinned
 * (package.json), so the path below is stable; a version bump that moves it fails loudly here.
 */

/** An object as fauxqs 1.9.2 keeps it. */
export interface FauxqsObject {
  key: string
  etag: string
  body: Buffer
}

/** The part of fauxqs 1.9.2's `S3Store` (dist/s3/s3Store.js) the harness uses. */
export interface FauxqsS3Store {
  buckets: Map<string, Map<string, FauxqsObject>>
  createBucket(name: string): void
  listObjects(bucket: string, options?: Record<string, unknown>): unknown
}

type FauxqsS3StoreClass = new () => FauxqsS3Store

let loaded: Promise<FauxqsS3StoreClass> | undefined

/** fauxqs's `S3Store` class, loaded from its dist directory beside the package entry. */
export function fauxqsS3StoreClass(): Promise<FauxqsS3StoreClass> {
  loaded ??= (async () => {
    const url = new URL('../../node_modules/fauxqs/dist/s3/s3Store.js', import.meta.url)
    const module = (await import(/* @vite-ignore */ url.href)) as { S3Store?: FauxqsS3StoreClass }
    if (typeof module.S3Store !== 'function') {
      throw new Error(`fauxqs: no S3Store class in ${url.pathname}; is fauxqs 1.9.2 installed?`)
    }
    return module.S3Store
  })()
  return loaded
}
