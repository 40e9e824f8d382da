/** `S3Backend` against a real S3 API (fauxqs in this process, made S3-faithful by the harness). */
import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { S3Backend } from '../src/s3-backend'
import { type S3TestServer, startS3TestServer, TEST_CREDENTIALS } from './support/s3-server'

let server: S3TestServer
let client: S3Client
let backend: S3Backend
const bucket = 'backend'
const bytes = (text: string) => new TextEncoder().encode(text)
const text = (data: Uint8Array | undefined) =>
  data === undefined ? undefined : new TextDecoder().decode(data)

beforeAll(async () => {
  server = await startS3TestServer()
  server.createBucket(bucket)
  client = server.client()
  backend = new S3Backend({ client, bucket })
})
afterAll(async () => {
  await backend.close()
  client.destroy()
  await server.stop()
})

async function listAll(prefix: string): Promise<{ names: string[]; pages: number }> {
  const names: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await backend.list(prefix, cursor)
    names.push(...page.objects.map((object) => object.name))
    cursor = page.cursor
    pages++
  } while (cursor !== undefined)
  return { names, pages }
}

describe('S3Backend', () => {
  it('declares what S3 offers', () => {
    expect(backend.name).toBe('s3')
    expect(backend.capabilities).toEqual({ conditionalWrites: true, metadata: true, rangeReads: true })
    expect(backend.maxDeleteBatch).toBe(1000)
  })

  it('reads what it wrote, whole or its first bytes, with the ETag as version', async () => {
    expect(await backend.read('rw/missing')).toBeUndefined()
    expect(await backend.write('rw/a', bytes('hello world'))).toBe(true)
    const whole = await backend.read('rw/a')
    expect(text(whole?.bytes)).toBe('hello world')
    expect(whole?.version).toMatch(/^".+"$/)
    expect(text((await backend.read('rw/a', { maxBytes: 5 }))?.bytes)).toBe('hello')
    expect(text((await backend.read('rw/a', { maxBytes: 500 }))?.bytes)).toBe('hello world')
    await backend.write('rw/empty', new Uint8Array(0))
    expect((await backend.read('rw/empty', { maxBytes: 8 }))?.bytes).toHaveLength(0)
  })

  it('heads an object: version, size and the metadata given to write, no body', async () => {
    expect(await backend.head('head/missing')).toBeUndefined()
    await backend.write('head/a', bytes('12345'), { metadata: { 'fresh-until': '1700000000000', tags: 'x' } })
    const info = await backend.head('head/a')
    expect(info).toMatchObject({
      name: 'head/a',
      size: 5,
      metadata: { 'fresh-until': '1700000000000', tags: 'x' },
    })
    expect(info?.version).toBe((await backend.read('head/a'))?.version)
  })

  it('creates only when absent and replaces only the version read', async () => {
    expect(await backend.write('cond/a', bytes('one'), { ifAbsent: true })).toBe(true)
    expect(await backend.write('cond/a', bytes('two'), { ifAbsent: true })).toBe(false)
    expect(text((await backend.read('cond/a'))?.bytes)).toBe('one')
    const read = await backend.read('cond/a')
    await backend.write('cond/a', bytes('replaced meanwhile'))
    expect(await backend.write('cond/a', bytes('three'), { ifVersion: read?.version })).toBe(false)
    const current = await backend.head('cond/a')
    expect(await backend.write('cond/a', bytes('four'), { ifVersion: current?.version })).toBe(true)
    expect(text((await backend.read('cond/a'))?.bytes)).toBe('four')
    await backend.delete(['cond/a'])
    expect(await backend.write('cond/a', bytes('five'), { ifVersion: current?.version })).toBe(false)
    expect(await backend.read('cond/a')).toBeUndefined()
  })

  it('50 conditional creates from 5 clients: exactly one wins', async () => {
    const clients = Array.from({ length: 5 }, () => server.client())
    const backends = clients.map((c) => new S3Backend({ client: c, bucket }))
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        backends[i % 5]!.write('race/one', bytes(`w${i}`), { ifAbsent: true }),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    for (const c of clients) c.destroy()
  })

  it('deletes one name, a batch over 1,000 names in DeleteObjects calls of 1,000, and ignores missing names', async () => {
    const names = Array.from({ length: 1_050 }, (_, i) => `many/${String(i).padStart(4, '0')}`)
    await Promise.all(names.map((name) => backend.write(name, bytes(name))))
    expect(await listAll('many/')).toMatchObject({ pages: 2, names: { length: 1_050 } })
    const sent = vi.spyOn(client, 'send')
    await backend.delete(['many/0000'])
    await backend.delete([...names.slice(1), 'many/never-written'])
    const commands = sent.mock.calls.map(([command]) => command.constructor.name)
    sent.mockRestore()
    expect(commands).toEqual(['DeleteObjectCommand', 'DeleteObjectsCommand', 'DeleteObjectsCommand'])
    expect(await listAll('many/')).toEqual({ names: [], pages: 1 })
  })

  it('lists only under the prefix, each name once, across pages', async () => {
    const names = Array.from({ length: 1_001 }, (_, i) => `pages/${i % 3 ? 'K' : 'k'}${i}`)
    await Promise.all(names.map((name) => backend.write(name, bytes('x'))))
    await backend.write('pagesX', bytes('outside'))
    const { names: listed, pages } = await listAll('pages/')
    expect(pages).toBe(2)
    expect(listed.sort()).toEqual([...names].sort())
    await backend.delete(names)
    await backend.delete(['pagesX'])
  })

  it('passes the AbortSignal to the SDK', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(backend.read('abort/a', { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
  })

  it('names the bucket and the operation when the bucket does not exist', async () => {
    const missing = new S3Backend({ client, bucket: 'no-such-bucket' })
    await expect(missing.write('a', bytes('x'))).rejects.toThrow(
      /S3 PutObject on bucket "no-such-bucket" failed: the bucket does not exist/,
    )
    await expect(missing.read('a')).rejects.toThrow(/S3 GetObject on bucket "no-such-bucket"/)
    await expect(missing.list('')).rejects.toThrow(/S3 ListObjectsV2 on bucket "no-such-bucket"/)
  })

  it('never destroys a client it was given', async () => {
    const given = server.client()
    const destroy = vi.spyOn(given, 'destroy')
    const borrowed = new S3Backend({ client: given, bucket })
    await borrowed.write('given/a', bytes('x'))
    await borrowed.close()
    expect(destroy).not.toHaveBeenCalled()
    expect(text((await borrowed.read('given/a'))?.bytes)).toBe('x')
    given.destroy()
  })

  it('builds its own client on first use from the options and destroys it on close', async () => {
    const own = new S3Backend({
      bucket,
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    })
    await own.write('own/a', bytes('x'))
    const built = own.client
    const destroy = vi.spyOn(built, 'destroy')
    await own.close()
    expect(destroy).toHaveBeenCalledTimes(1)
  })
})
