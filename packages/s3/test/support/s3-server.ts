/**
 * A real S3 API for the tests: fauxqs 1.9.2 in this process, bound to 127.0.0.1 on a free port
 * (never 0.0.0.0, never a fixed port), made to behave like S3 where it does not by
 * `s3-fidelity.ts`. Every test file stops every server it starts.
 */
import { S3Client } from '@aws-sdk/client-s3'
import { buildApp } from 'fauxqs'
import { type FauxqsS3Store, fauxqsS3StoreClass } from './fauxqs-internals'
import { installFaults, type S3Faults } from './s3-faults'
import { applyS3Fidelity } from './s3-fidelity'

/** Credentials fauxqs accepts; they sign requests and are never checked. */
export const TEST_CREDENTIALS = { accessKeyId: 'test-access-key', secretAccessKey: 'test-secret-key' }

/** A running fauxqs with the S3 fidelity layer. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string
  readonly port: number
  /** The in-memory object store behind the server (to create buckets, inspect or plant objects). */
  readonly objects: FauxqsS3Store
  /** Faults a test can switch on (see `s3-faults.ts`). */
  readonly faults: S3Faults
  /** Creates a bucket (idempotent). */
  createBucket(name: string): void
  /** A client for this server; the caller destroys it. */
  client(options?: { maxAttempts?: number }): S3Client
  /** Closes the server and every connection to it. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts fauxqs on 127.0.0.1. With `port` (e.g. that of a server stopped earlier in a fault test)
 * it binds that port, so clients configured for the old server reach the new one.
 */
export async function startS3TestServer(options: { port?: number } = {}): Promise<S3TestServer> {
  const Store = await fauxqsS3StoreClass()
  const objects = new Store()
  // Only the S3 store is given: fauxqs builds its own (unused) SQS and SNS stores.
  const app = buildApp({ logger: false, stores: { s3Store: objects } as never })
  applyS3Fidelity(app, objects)
  const faults = installFaults(app)
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('fauxqs: no TCP address')
  const endpoint = `http://127.0.0.1:${address.port}`
  let stopped: Promise<void> | undefined
  const close = async (): Promise<void> => {
    await app.close()
  }
  return {
    endpoint,
    port: address.port,
    objects,
    faults,
    createBucket: (name) => objects.createBucket(name),
    client: ({ maxAttempts } = {}) =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: TEST_CREDENTIALS,
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
      }),
    stop: () => {
      stopped ??= close()
      return stopped
    },
  }
}
