// @stratacache/gcs: explicit named exports only.

export { fromUrl } from './from-url'
export { GcsBackend, type GcsBackendOptions, RESUMABLE_ABOVE_BYTES } from './gcs-backend'
export { GcsStore, type GcsStoreOptions } from './gcs-store'
