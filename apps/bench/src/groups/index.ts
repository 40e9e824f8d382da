import type { BenchGroup } from '../harness'
import { bgReadGroup } from './bg-read'
import { blobStoreGroup } from './blob-store'
import { cacheHitAsyncGroup } from './cache-hit-async'
import { cacheHitSyncGroup } from './cache-hit-sync'
import { fileStoreGroup } from './file-store'
import { gcsHitGroup } from './gcs-hit'
import { heapPerEntryGroup } from './heap-per-entry'
import { keyValueMemoryGroup, keyValueRedisGroup } from './key-value'
import { memoryStoreGroup } from './memory-store'
import { metricsAsyncGroup, metricsSyncGroup } from './metrics'
import { redisHitGroups } from './redis-hit'
import { s3HitGroups } from './s3-hit'
import { scopeGroup } from './scope'
import { serializerSizeGroup, serializersGroup } from './serializers'
import { stampedeGroup } from './stampede'
import { tracingGroup } from './tracing'
import { twoTierGroup } from './two-tier'

/** Every group, in the order of issue 9. */
export const GROUPS: BenchGroup[] = [
  memoryStoreGroup,
  cacheHitAsyncGroup,
  cacheHitSyncGroup,
  metricsAsyncGroup,
  metricsSyncGroup,
  bgReadGroup,
  ...redisHitGroups,
  twoTierGroup,
  stampedeGroup,
  heapPerEntryGroup,
  keyValueMemoryGroup,
  keyValueRedisGroup,
  scopeGroup,
  serializersGroup,
  serializerSizeGroup,
  blobStoreGroup,
  fileStoreGroup,
  gcsHitGroup,
  ...s3HitGroups,
  tracingGroup,
]
