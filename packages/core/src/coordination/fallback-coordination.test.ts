import { asyncOnly } from '../../test/coordination/support'
import { MemoryStore } from '../store/memory-store'
import { describeCoordinationConformance } from '../testing/coordination-conformance'

// The setIfAbsent fallback over a store with synchronous methods (atomic release)...
describeCoordinationConformance({
  name: 'fallback over MemoryStore',
  createStore: ({ clock }) => new MemoryStore({ clock, maxEntries: 10_000 }),
  expiry: 'clock',
})

// ...and over an asynchronous-only store (the path remote stores without native primitives take).
describeCoordinationConformance({
  name: 'fallback over an async-only store',
  createStore: ({ clock }) => asyncOnly(new MemoryStore({ clock, maxEntries: 10_000 })),
  expiry: 'clock',
})
