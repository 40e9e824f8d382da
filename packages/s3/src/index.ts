// @stratacache/s3: explicit named exports only.
export { fromUrl } from './from-url'
export { S3Backend, type S3BackendOptions } from './s3-backend'
export type { S3ConnectionOptions } from './s3-client-source'
export { S3Store, type S3StoreOptions } from './s3-store'
