import { S3Client } from '@aws-sdk/client-s3'
import { CacheConfigError } from '@stratacache/core'
import { describe, expect, it } from 'vitest'
import { validateS3Options } from './s3-options'

const rejects = (options: object, pattern: RegExp, option: string) => {
  let caught: unknown
  try {
    validateS3Options(options as never)
  } catch (error) {
    caught = error
  }
  expect(CacheConfigError.isInstance(caught)).toBe(true)
  expect((caught as CacheConfigError).option).toBe(option)
  expect((caught as Error).message).toMatch(pattern)
}

describe('validateS3Options', () => {
  it('accepts a bucket with a client, or with the settings of the client to build', () => {
    const client = new S3Client({ region: 'us-east-1' })
    expect(validateS3Options({ bucket: 'b', client }).client).toBe(client)
    expect(
      validateS3Options({
        bucket: 'b',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
      }),
    ).toMatchObject({ bucket: 'b', region: 'eu-west-1', forcePathStyle: true })
    client.destroy()
  })

  it('names the option, what was given and what is allowed', () => {
    rejects({}, /S3Store: invalid option "bucket": got undefined; expected a bucket name/, 'bucket')
    rejects({ bucket: 'a/b' }, /"bucket": got "a\/b"/, 'bucket')
    rejects({ bucket: 'b', client: {} }, /"client": got an object; expected an S3Client/, 'client')
    rejects({ bucket: 'b', region: 'EU WEST' }, /"region": got "EU WEST"; expected an AWS region/, 'region')
    rejects(
      { bucket: 'b', endpoint: 'ftp://x' },
      /"endpoint": got a string that is not an http\(s\) URL/,
      'endpoint',
    )
    rejects(
      { bucket: 'b', forcePathStyle: 'yes' },
      /"forcePathStyle": got "yes"; expected true or false/,
      'forcePathStyle',
    )
    rejects(
      { bucket: 'b', credentials: 'key:secret' },
      /"credentials": got a string; expected/,
      'credentials',
    )
  })

  it('refuses client settings next to a client (they would be ignored)', () => {
    const client = new S3Client({ region: 'us-east-1' })
    rejects({ bucket: 'b', client, region: 'eu-west-1' }, /"region": given together with "client"/, 'region')
    client.destroy()
  })

  it('never repeats an endpoint or credentials that may hold a secret', () => {
    try {
      validateS3Options({ bucket: 'b', endpoint: 'mailto:user:hunter2@example' })
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2')
    }
    try {
      validateS3Options({ bucket: 'b', credentials: 'hunter2' as never })
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2')
    }
  })
})
