/**
 * The in-memory least-recently-used order and total size of the entry files, kept by a
 * `FileStore` with `maxBytes`. Reads move an entry to the most recent end in memory only (no
 * write to disk per read); the order survives restarts only approximately, through file
 * modification times, when the index is rebuilt from a scan of the directory.
 * @packageDocumentation
 */

/** One entry file found by a directory scan. */
export interface ScannedFile {
  path: string
  size: number
  mtimeMs: number
}

interface Slot {
  size: number
  /** The value of the touch counter when this entry was last written or read. */
  touchedAt: number
}

/** Entry files in least-recently-used order, with their total size. */
export class RecencyIndex {
  /** Insertion order is recency order: the first entry is the least recently used. */
  #slots = new Map<string, Slot>()
  #totalBytes = 0
  #touches = 0

  /** The sum of the sizes of the indexed files, in bytes. */
  get totalBytes(): number {
    return this.#totalBytes
  }

  /** How many files are indexed. */
  get size(): number {
    return this.#slots.size
  }

  /** A marker to pass to {@link RecencyIndex.reconcile} for a scan that starts now. */
  get touchCounter(): number {
    return this.#touches
  }

  /** Records that `path` (of `size` bytes) was just written or read: it becomes the most recent. */
  touch(path: string, size: number): void {
    this.remove(path)
    this.#slots.set(path, { size, touchedAt: ++this.#touches })
    this.#totalBytes += size
  }

  /** Forgets `path` (deleted). */
  remove(path: string): void {
    const slot = this.#slots.get(path)
    if (slot === undefined) return
    this.#slots.delete(path)
    this.#totalBytes -= slot.size
  }

  /** Forgets every file (the store was cleared). */
  clear(): void {
    this.#slots.clear()
    this.#totalBytes = 0
  }

  /**
   * Removes and returns the least recently used paths until the total is at most `maxBytes`;
   * the caller deletes the files.
   */
  takeOverflow(maxBytes: number): string[] {
    const victims: string[] = []
    for (const [path, slot] of this.#slots) {
      if (this.#totalBytes <= maxBytes) break
      this.#slots.delete(path)
      this.#totalBytes -= slot.size
      victims.push(path)
    }
    return victims
  }

  /**
   * Merges the result of a directory scan that started when the touch counter was
   * `scanStartedAt`: files the index did not know (written by another process, or before this
   * process started) become the least recent, ordered by modification time; indexed files the
   * scan did not find and that were not touched since it started are forgotten (deleted by
   * someone else).
   */
  reconcile(scanned: ScannedFile[], scanStartedAt: number): void {
    const found = new Set<string>()
    const unknown: ScannedFile[] = []
    for (const file of scanned) {
      found.add(file.path)
      if (!this.#slots.has(file.path)) unknown.push(file)
    }
    unknown.sort((a, b) => a.mtimeMs - b.mtimeMs)
    const merged = new Map<string, Slot>()
    let total = 0
    for (const file of unknown) {
      merged.set(file.path, { size: file.size, touchedAt: 0 })
      total += file.size
    }
    for (const [path, slot] of this.#slots) {
      if (slot.touchedAt <= scanStartedAt && !found.has(path)) continue
      merged.set(path, slot)
      total += slot.size
    }
    this.#slots = merged
    this.#totalBytes = total
  }
}
