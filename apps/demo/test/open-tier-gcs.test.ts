// CACHE_TIERS may name a GCS tier: openTier builds it through @stratacache/gcs (run here against the
// GCS emulator harness of packages/gcs).
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type GcsEmulator, startGcsEmulator } from '../../../packages/gcs/test/support/gcs-emulator'
import { openTier } from '../src/serve/open-tier'

let gcs: GcsEmulator
beforeAll(async () => {
  gcs = await startGcsEmulator()
  await gcs.createBucket('demo-tier')
})
afterAll(async () => {
  await gcs?.close()
})

it('opens a gs:// tier from CACHE_TIERS', async () => {
  const endpoint = encodeURIComponent(gcs.apiEndpoint)
  const store = await openTier(`gs://demo-tier/reports?apiEndpoint=${endpoint}&projectId=${gcs.projectId}`)
  try {
    expect(store.name).toBe('gcs')
    await store.set('k', { value: 'v', createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    expect((await store.get('k'))?.value).toBe('v')
  } finally {
    await store.close()
  }
})
