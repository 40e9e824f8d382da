import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEntry, EntryCodec } from '@stratacache/core'
import { FileStore } from '@stratacache/file'
import type { BenchGroup } from '../harness'
import { TTL_MS } from '../payload'
import { roundRobin } from '../round-robin'

const KEYS = 200
const SIZES = [
  ['1 KiB', 1024],
  ['100 KiB', 100 * 1024],
] as const

const floorHit = (size: string) => `readFile + EntryCodec.decode, ${size}`
const floorWrite = (size: string) => `EntryCodec.encode + writeFile + rename, ${size}`
const hit = (size: string) => `FileStore.get hit, ${size}`
const write = (size: string) => `FileStore.set, ${size}`
const MISS = 'FileStore.get miss'

/** A value of about `bytes` bytes that compresses poorly (so gzip does not shrink it away). */
function payload(bytes: number, seed: number): string {
  let state = seed
  let text = ''
  while (text.length < bytes) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    text += state.toString(36)
  }
  return text.slice(0, bytes)
}

/** Group 12b: FileStore on a real temporary directory, hits, misses and writes of 1 KiB and 100 KiB. */
export const fileStoreGroup: BenchGroup = {
  id: 'file-store',
  number: '12b',
  title: 'FileStore hit, miss and write (1 KiB, 100 KiB)',
  about: [
    `\`FileStore\` (defaults: gzip for values ≥ 1 KiB, no \`fsync\`, \`operationTimeout\` 5 s) on a directory under the OS temp dir,`,
    `${KEYS} keys per size read or written round-robin. The floors are the raw disk work: \`readFile\` of a file holding`,
    'the same entry bytes followed by `EntryCodec.decode`, and `EntryCodec.encode` followed by `writeFile` of a temporary',
    'file and `rename` over the target (what an atomic write costs at least). A miss reads a key never written.',
  ].join(' '),
  floor: floorHit('1 KiB'),
  async setup() {
    const root = await mkdtemp(join(tmpdir(), 'stratacache-bench-file-'))
    const store = new FileStore({ dir: join(root, 'store') })
    const codec = new EntryCodec({ compress: true })
    const raw = join(root, 'raw')
    await writeFile(join(root, '.keep'), '')
    await import('node:fs/promises').then((fs) => fs.mkdir(raw, { recursive: true }))
    const cases = []
    for (const [size, bytes] of SIZES) {
      const keys = Array.from({ length: KEYS }, (_, i) => `${size}:${i}`)
      const entries = keys.map((_, i) =>
        createEntry({ body: payload(bytes, i + 1) }, { now: Date.now(), ttlMs: TTL_MS }),
      )
      for (const [i, key] of keys.entries()) {
        await store.set(key, entries[i] as never)
        await writeFile(join(raw, `${i}-${bytes}`), await codec.encode(entries[i] as never, key))
      }
      const hitKey = roundRobin(keys)
      const writeIndex = roundRobin(keys.map((_, i) => i))
      const rawIndex = roundRobin(keys.map((_, i) => i))
      const rawWriteIndex = roundRobin(keys.map((_, i) => i))
      let temp = 0
      cases.push(
        {
          name: floorHit(size),
          fn: async () => codec.decode(await readFile(join(raw, `${rawIndex()}-${bytes}`))),
        },
        { name: hit(size), fn: () => store.get(hitKey()) },
        {
          name: floorWrite(size),
          fn: async () => {
            const i = rawWriteIndex()
            const target = join(raw, `w${i}-${bytes}`)
            const tmp = `${target}.${temp++}.tmp`
            await writeFile(tmp, await codec.encode(entries[i] as never, keys[i]), { flag: 'wx' })
            await rename(tmp, target)
          },
        },
        {
          name: write(size),
          fn: () => {
            const i = writeIndex()
            return store.set(keys[i] as string, entries[i] as never)
          },
        },
      )
    }
    const missKey = roundRobin(Array.from({ length: KEYS }, (_, i) => `never:${i}`))
    cases.push({ name: MISS, fn: () => store.get(missKey()) })
    return {
      cases,
      teardown: async () => {
        await store.close()
        await rm(root, { recursive: true, force: true })
      },
    }
  },
}
