import { describeStoreConformance } from '../testing/store-conformance'
import { MemoryStore } from './memory-store'

describeStoreConformance({
  name: 'MemoryStore',
  createStore: ({ clock }) => new MemoryStore({ clock, maxEntries: 100_000 }),
  capabilities: { expiry: 'clock', sync: true },
})
