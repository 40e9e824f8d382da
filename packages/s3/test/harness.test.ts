/**
 * The test server answers like S3 where fauxqs 1.9.2 does not (`support/s3-fidelity.ts`): each
 * deviation is checked here with the real SDK, so a fauxqs upgrade that changes them shows up.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareUtf8 } from './support/s3-fidelity'
import { type S3TestServer, startS3TestServer } from './support/s3-server'

let server: S3TestServer
let client: S3Client
const Bucket = 'harness'

beforeAll(async () => {
  server = await startS3TestServer()
  server.createBucket(Bucket)
  client = server.client()
})
afterAll(async () => {
  client.destroy()
  await server.stop()
})

const put = (Key: string, body = 'x', extra: object = {}) =>
  client.send(new PutObjectCommand({ Bucket, Key, Body: new TextEncoder().encode(body), ...extra }))

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata?.httpStatusCode,
    }),
  )

describe('S3 fidelity of the test server', () => {
  it('binds 127.0.0.1 on a free port', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.port).toBeGreaterThan(0)
  })

  it('If-None-Match: * refuses to replace an existing object (412)', async () => {
    expect(await failure(put('inm', 'a', { IfNoneMatch: '*' }))).toBeUndefined()
    expect(await failure(put('inm', 'b', { IfNoneMatch: '*' }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    })
    const body = await client.send(new GetObjectCommand({ Bucket, Key: 'inm' }))
    expect(await body.Body?.transformToString()).toBe('a')
  })

  it('If-Match replaces only the version read (412 otherwise, 404 when gone)', async () => {
    const { ETag } = await put('im', 'one')
    await put('im', 'two')
    expect(await failure(put('im', 'three', { IfMatch: ETag }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    })
    const current = await client.send(new GetObjectCommand({ Bucket, Key: 'im' }))
    await current.Body?.transformToByteArray()
    expect(await failure(put('im', 'four', { IfMatch: current.ETag }))).toBeUndefined()
    expect(await failure(put('im-missing', 'x', { IfMatch: current.ETag }))).toMatchObject({ status: 404 })
  })

  it('DeleteObject with If-Match deletes only the version read (412 otherwise)', async () => {
    const { ETag: first } = await put('del', 'one')
    const { ETag: second } = await put('del', 'two')
    const del = (IfMatch: string | undefined) =>
      client.send(new DeleteObjectCommand({ Bucket, Key: 'del', IfMatch }))
    expect(await failure(del(first))).toEqual({ name: 'PreconditionFailed', status: 412 })
    expect(await failure(del(second))).toBeUndefined()
    expect(await failure(del(second))).toMatchObject({ status: 404 })
  })

  it('of 50 concurrent conditional creates of one name exactly one succeeds', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => failure(put('race', String(i), { IfNoneMatch: '*' }))),
    )
    expect(results.filter((r) => r === undefined)).toHaveLength(1)
    expect(new Set(results.filter((r) => r !== undefined).map((r) => r?.status))).toSatisfy(
      (s: Set<number>) => [...s].every((status) => status === 412 || status === 409),
    )
  })

  it('rejects object names over 1,024 UTF-8 bytes (400 KeyTooLongError)', async () => {
    expect(await failure(put('k'.repeat(1024)))).toBeUndefined()
    expect(await failure(put('é'.repeat(513)))).toEqual({ name: 'KeyTooLongError', status: 400 })
  })

  it('rejects user metadata over 2 KB (400 MetadataTooLarge)', async () => {
    expect(await failure(put('meta-ok', 'x', { Metadata: { a: 'v'.repeat(2000) } }))).toBeUndefined()
    expect(
      await failure(put('meta-big', 'x', { Metadata: { a: 'v'.repeat(1500), b: 'v'.repeat(600) } })),
    ).toEqual({
      name: 'MetadataTooLarge',
      status: 400,
    })
  })

  it('accepts a PutObject body over 11 MiB', async () => {
    const big = new Uint8Array(12 * 1024 * 1024).fill(7)
    await client.send(new PutObjectCommand({ Bucket, Key: 'big', Body: big }))
    const read = await client.send(new GetObjectCommand({ Bucket, Key: 'big' }))
    expect((await read.Body?.transformToByteArray())?.length).toBe(big.length)
  })

  it('pages ListObjectsV2 in UTF-8 byte order, each name once', async () => {
    const names = Array.from(
      { length: 30 },
      (_, i) => `order/${i % 2 ? 'A' : 'a'}${String.fromCharCode(66 + i)}`,
    )
    await Promise.all(names.map((name) => put(name)))
    const listed: string[] = []
    let ContinuationToken: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: 'order/', MaxKeys: 7, ContinuationToken }),
      )
      listed.push(...(page.Contents ?? []).map((item) => item.Key ?? ''))
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (ContinuationToken !== undefined)
    expect(listed).toEqual([...names].sort(compareUtf8))
  })
})
