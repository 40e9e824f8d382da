/**
 * The GCS test harness itself: the real client against the emulator, and each deviation the
 * fidelity layer corrects (see `support/gcs-fidelity.ts`).
 */
import type { ApiError } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GcsEmulator, startGcsEmulator } from './support/gcs-emulator'

let gcs: GcsEmulator

beforeAll(async () => {
  gcs = await startGcsEmulator()
  await gcs.createBucket('harness')
})
afterAll(async () => {
  await gcs?.close()
})

async function statusOf(work: Promise<unknown>): Promise<number | undefined> {
  try {
    await work
    return undefined
  } catch (error) {
    return (error as ApiError).code as number
  }
}

describe('GCS emulator harness', () => {
  it('serves the real client: save, metadata, range read, paged list', async () => {
    const bucket = gcs.storage().bucket('harness')
    const file = bucket.file('list/a')
    await file.save(Buffer.from('hello'), { resumable: false, metadata: { metadata: { k: 'v' } } })
    await bucket.file('list/b').save(Buffer.from('x'), { resumable: false })
    const [metadata] = await file.getMetadata()
    expect(metadata.metadata).toEqual({ k: 'v' })
    const [head] = await file.download({ start: 0, end: 1 })
    expect(head.toString()).toBe('he')
    const [page, next] = await bucket.getFiles({ prefix: 'list/', autoPaginate: false, maxResults: 1 })
    expect(page.map((f) => f.name)).toEqual(['list/a'])
    expect(next).toMatchObject({ pageToken: 'list/b' })
  })

  it('a bucket exists only once created; its metadata is served (deviations 1, 2)', async () => {
    const storage = gcs.storage()
    expect(await statusOf(storage.bucket('nowhere').file('x').save('x', { resumable: false }))).toBe(404)
    expect(await statusOf(storage.bucket('nowhere').getFiles())).toBe(404)
    expect((await storage.bucket('nowhere').exists())[0]).toBe(false)
    expect((await storage.bucket('harness').getMetadata())[0].name).toBe('harness')
    expect(await statusOf(storage.createBucket('harness'))).toBe(409)
  })

  it('rejects object names over 1,024 bytes (deviation 3)', async () => {
    const bucket = gcs.storage().bucket('harness')
    expect(await statusOf(bucket.file('n'.repeat(1025)).save('x', { resumable: false }))).toBe(400)
    expect(await statusOf(bucket.file('é'.repeat(513)).save('x', { resumable: false }))).toBe(400)
    await bucket.file('n'.repeat(1024)).save('x', { resumable: false })
  })

  it('honours ifGenerationMatch atomically, with distinct generations (deviations 4, 5)', async () => {
    const file = gcs.storage().bucket('harness').file('claim')
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        statusOf(file.save(`v${i}`, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })),
      ),
    )
    expect(outcomes.filter((status) => status === undefined)).toHaveLength(1)
    expect(outcomes.filter((status) => status === 412)).toHaveLength(49)
    const [{ generation }] = await file.getMetadata()
    const again = await Promise.all(
      Array.from({ length: 10 }, () =>
        statusOf(
          file.save('next', {
            resumable: false,
            preconditionOpts: { ifGenerationMatch: Number(generation) },
          }),
        ),
      ),
    )
    expect(again.filter((status) => status === undefined)).toHaveLength(1)
    expect(await statusOf(file.delete({ ifGenerationMatch: Number(generation) }))).toBe(412)
    const [{ generation: latest }] = await file.getMetadata()
    expect(Number(latest)).toBeGreaterThan(Number(generation))
    await file.delete({ ifGenerationMatch: Number(latest) })
    expect((await file.exists())[0]).toBe(false)
  })

  it('honours a precondition given when a resumable upload begins (deviation 4)', async () => {
    const file = gcs.storage().bucket('harness').file('resumable')
    await file.save(Buffer.alloc(1024, 1), { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } })
    expect(
      await statusOf(
        file.save(Buffer.alloc(1024, 2), { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }),
      ),
    ).toBe(412)
    expect((await file.download())[0][0]).toBe(1)
  })

  it('a denied bucket answers 403', async () => {
    gcs.deny('harness')
    try {
      expect(await statusOf(gcs.storage().bucket('harness').file('list/a').download())).toBe(403)
    } finally {
      gcs.deny('harness', false)
    }
  })

  it('goes down and comes back on the same port with its objects', async () => {
    const file = gcs.storage().bucket('harness').file('durable')
    await file.save('kept', { resumable: false })
    await gcs.stop()
    await expect(file.download()).rejects.toThrow(/ECONNREFUSED/)
    await gcs.start()
    expect((await file.download())[0].toString()).toBe('kept')
  })
})
