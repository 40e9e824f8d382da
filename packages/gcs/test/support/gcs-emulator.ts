/**
 * A Cloud Storage JSON API for the tests and the bench: the firebase-tools emulator
 * (`firebase-storage-emulator.ts`) behind the GCS-fidelity layer (`gcs-fidelity.ts`), served
 * in-process from our own `http.Server` on 127.0.0.1 and a port the OS picks. The real
 * `@google-cloud/storage` client talks to it. It can be taken down and brought back on the same
 * port with its objects kept, or made to stall, for fault tests; `close()` releases everything.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Storage, type StorageOptions } from '@google-cloud/storage'
import { buildFirebaseStorageEmulator } from './firebase-storage-emulator'
import { gcsFidelity } from './gcs-fidelity'

const HOST = '127.0.0.1'
const PROJECT_ID = 'demo-stratacache'

/** A running emulator. */
export interface GcsEmulator {
  /** `http://127.0.0.1:<port>`, for `apiEndpoint`. */
  readonly apiEndpoint: string
  readonly projectId: string
  /**
   * A `Storage` client pointed at the emulator. Retries are off unless `options` turn them on,
   * so a fault reaches the store at once.
   */
  storage(options?: StorageOptions): Storage
  /** Creates a bucket through the real client (exercising the bucket-create shim). */
  createBucket(name: string): Promise<void>
  /** Every request on `bucket` answers 403 until `deny(bucket, false)`. */
  deny(bucket: string, denied?: boolean): void
  /** Takes the server down (connections refused, open ones destroyed); objects are kept. */
  stop(): Promise<void>
  /** Brings it back on the same port after `stop()`. */
  start(): Promise<void>
  /** While on, requests are accepted and never answered (a hung backend); off ends them. */
  stall(on: boolean): void
  /** Stops the server and removes every file the emulator wrote. */
  close(): Promise<void>
}

/**
 * Starts an emulator on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * const gcs = await startGcsEmulator()
 * try { await gcs.createBucket('b') } finally { await gcs.close() }
 * ```
 */
export async function startGcsEmulator(): Promise<GcsEmulator> {
  const emulator = await buildFirebaseStorageEmulator(PROJECT_ID)
  const fidelity = gcsFidelity(emulator, PROJECT_ID)
  const stalled = new Set<ServerResponse>()
  let stalling = false
  const server = createServer((req, res) => {
    if (!stalling) return fidelity.handle(req, res)
    stalled.add(res)
    res.once('close', () => stalled.delete(res))
  })
  server.keepAliveTimeout = 1000

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, HOST, () => {
        server.off('error', reject)
        resolve()
      })
    })
  const shut = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      server.close(() => resolve())
      server.closeAllConnections()
    })

  await listen(0)
  const port = (server.address() as AddressInfo).port
  emulator.servedAt(HOST, port)
  const apiEndpoint = `http://${HOST}:${port}`
  let closed = false

  const handle: GcsEmulator = {
    apiEndpoint,
    projectId: PROJECT_ID,
    storage: (options = {}) =>
      new Storage({ apiEndpoint, projectId: PROJECT_ID, retryOptions: { autoRetry: false }, ...options }),
    createBucket: async (name) => {
      await handle.storage().createBucket(name)
    },
    deny: (bucket, denied) => fidelity.deny(bucket, denied),
    stop: shut,
    start: async () => {
      if (closed) throw new Error('the GCS emulator was closed')
      if (!server.listening) await listen(port)
    },
    stall: (on) => {
      stalling = on
      if (!on) for (const res of stalled) res.destroy()
    },
    close: async () => {
      closed = true
      handle.stall(false)
      await shut()
      await emulator.dispose()
    },
  }
  return handle
}
