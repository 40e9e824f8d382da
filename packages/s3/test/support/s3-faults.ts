/**
 * Faults a test can switch on in the test server (inert until then): access denied to a bucket,
 * and responses held back to look like a slow or hung S3. Not part of the fidelity layer: these
 * are S3 behaviours on a bad day, not deviations of fauxqs.
 */
import type { FastifyInstance } from 'fastify'

/** The switches of {@link installFaults}. */
export interface S3Faults {
  /** Buckets whose every request is answered `403 AccessDenied`, as S3 does without permission. */
  readonly deniedBuckets: Set<string>
  /** When set, each request waits this long (ms) before it is handled. */
  delayMs: number
}

/** Installs the fault hooks on a fauxqs app (before it listens) and returns their switches. */
export function installFaults(app: FastifyInstance): S3Faults {
  const faults: S3Faults = { deniedBuckets: new Set(), delayMs: 0 }
  app.addHook('onRequest', (request, reply, done) => {
    const bucket = (request.params as { bucket?: string } | undefined)?.bucket
    if (bucket !== undefined && faults.deniedBuckets.has(bucket)) {
      reply
        .header('content-type', 'application/xml')
        .status(403)
        .send(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>faults</RequestId></Error>',
        )
      return
    }
    if (faults.delayMs > 0) {
      const timer = setTimeout(done, faults.delayMs)
      request.socket.once('close', () => clearTimeout(timer))
      return
    }
    done()
  })
  return faults
}
