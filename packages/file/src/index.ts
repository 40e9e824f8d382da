// @stratacache/file: explicit named exports only.
export { FileStore, type FileStoreOptions } from './file-store'
export { type FileStoreFileHandle, type FileStoreFileSystem, nodeFileSystem } from './file-system'
export { fromUrl } from './from-url'
