/**
 * The object name `S3Store` gives a key, for tests that plant raw bytes or read objects directly.
 * Core's `BlobNames` is not part of its public entry (only `BlobStore` uses it), so the tests
 * reach it by path; a `BlobStore#nameOf(key)` in core would make this file unnecessary.
 */
import { BlobNames } from '../../../core/src/store/blob-names'

/** The name of `key`'s object under `prefix`. */
export function objectNameOf(prefix: string, key: string): string {
  return new BlobNames(prefix).nameOf(key)
}
