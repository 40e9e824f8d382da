// @stratacache/s3: explicit named exports only.
export { S3Backend, type S3BackendOptions } from './s3-backend'
export type { S3ConnectionOptions } from './s3-client-source'
