// @stratacache/file: explicit named exports only.
export { FileStore, type FileStoreOptions } from './file-store'
export {
  type FileStoreFileHandle,
  type FileStoreFileSystem,
  type FileStoreStats,
  nodeFileSystem,
} from './file-system'
export { fromUrl } from './from-url'
