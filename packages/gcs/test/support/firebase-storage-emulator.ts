/**
 * The Cloud Storage emulator of `firebase-tools` (pinned in this package's devDependencies), built
 * in-process without its Java rules runtime: we construct its `StorageEmulator`, build its
 * Express app with `createApp` and serve that app from our own `http.Server` (see
 * `gcs-emulator.ts`), instead of `StorageEmulator.start()`, which would start the rules runtime
 * and listen on a fixed default port. firebase-tools ships no types; the few internals used are
 * typed here.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import type { RequestListener } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Loads from this package's dependencies: beside this file in the tests; through the installed
 * `@stratacache/gcs` package when this file is bundled elsewhere (the bench's `dist/`).
 */
const requireHere = createRequire(import.meta.url)
function requireFromGcsPackage(path: string): unknown {
  try {
    return requireHere(path)
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error
    return createRequire(requireHere.resolve('@stratacache/gcs/package.json'))(path)
  }
}

const INSTALL_HINT =
  'the GCS tests need firebase-tools (a devDependency of @stratacache/gcs): run `pnpm install`'

/** What the emulator keeps of one object (firebase-tools' `StoredFileMetadata`). */
export interface EmulatedObjectMetadata {
  name: string
  bucket: string
  /** The emulator sets `Date.now()`; the fidelity layer replaces it (see `gcs-fidelity.ts`). */
  generation: number | string
}

/** firebase-tools' `StorageLayer`, as far as the harness uses it. */
export interface EmulatedStorageLayer {
  createBucket(id: string): void
  getMetadata(bucket: string, object: string): EmulatedObjectMetadata | undefined
  uploadObject(upload: unknown): Promise<EmulatedObjectMetadata>
}

interface StorageEmulatorInstance {
  args: { projectId: string; host: string; port: number }
  readonly adminStorageLayer: EmulatedStorageLayer
  getName(): string
}

interface StorageEmulatorModule {
  StorageEmulator: new (args: {
    projectId: string
    host: string
    port: number
    auto_download: boolean
  }) => StorageEmulatorInstance
}

interface EmulatorRegistry {
  get(name: string): unknown
  set(name: string, instance: unknown): void
  clear(name: string): void
}

function load<T>(path: string): T {
  try {
    return requireFromGcsPackage(path) as T
  } catch (error) {
    throw new Error(`could not load ${path}: ${INSTALL_HINT}`, { cause: error })
  }
}

/** The emulator's app and state, not yet listening anywhere. */
export interface FirebaseStorageEmulator {
  /** The emulator's Express app, to serve from an `http.Server`. */
  readonly app: RequestListener
  /** Its storage layer with admin rights (the one the GCS JSON API routes use). */
  readonly storageLayer: EmulatedStorageLayer
  /** Tells the emulator where it is served (it writes `selfLink`/`mediaLink` with it). */
  servedAt(host: string, port: number): void
  /** Forgets the emulator and removes its blob directory. */
  dispose(): Promise<void>
}

/**
 * Builds the emulator's app for `projectId`, keeping its blobs in a fresh temp directory (its
 * default, `<tmpdir>/firebase/storage/blobs`, is shared by every emulator on the machine and
 * removed whole when one of them stops).
 */
export async function buildFirebaseStorageEmulator(projectId: string): Promise<FirebaseStorageEmulator> {
  const { StorageEmulator } = load<StorageEmulatorModule>('firebase-tools/lib/emulator/storage/index.js')
  const { createApp } = load<{
    createApp(projectId: string, emulator: StorageEmulatorInstance): Promise<RequestListener>
  }>('firebase-tools/lib/emulator/storage/server.js')
  const { EmulatorRegistry } = load<{ EmulatorRegistry: EmulatorRegistry }>(
    'firebase-tools/lib/emulator/registry.js',
  )

  const blobDir = await mkdtemp(join(tmpdir(), 'stratacache-gcs-emulator-'))
  class IsolatedStorageEmulator extends StorageEmulator {
    getPersistenceTmpDir(): string {
      return blobDir
    }
  }
  const emulator = new IsolatedStorageEmulator({
    projectId,
    host: '127.0.0.1',
    port: 0,
    auto_download: false,
  })
  const app = await createApp(projectId, emulator)
  return {
    app,
    storageLayer: emulator.adminStorageLayer,
    servedAt(host, port) {
      emulator.args.host = host
      emulator.args.port = port
      // The registry is per process; the emulator reads its own address from it. One test file
      // runs one emulator, so the first one registered is the one serving.
      if (EmulatorRegistry.get(emulator.getName()) === undefined) {
        EmulatorRegistry.set(emulator.getName(), emulator)
      }
    },
    async dispose() {
      if (EmulatorRegistry.get(emulator.getName()) === emulator) EmulatorRegistry.clear(emulator.getName())
      await rm(blobDir, { recursive: true, force: true })
    },
  }
}
