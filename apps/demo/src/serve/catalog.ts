import type { CacheInstance } from '@stratacache/core'

/** A product of the fake catalog. */
export interface Product {
  id: number
  name: string
  priceCents: number
  /** Which load of this product produced the value (1 for the first, 2 after a refresh, …). */
  version: number
}

/** Options of {@link createCatalog}. */
export interface CatalogOptions {
  /** The instance to cache in. */
  app: CacheInstance<boolean>
  /** How long the fake database takes per query, in ms. @defaultValue `60` */
  latencyMs?: number
}

/**
 * The slow data source behind the demo's endpoints and its cached reader: `getProduct(id)` is
 * fresh for 3 s and then served stale for up to 60 s while a background refresh runs, so a few
 * seconds of load show hits, stale serves and refreshes. Entries are tagged `products` and
 * `product:<id>`.
 */
export function createCatalog(options: CatalogOptions) {
  const latencyMs = options.latencyMs ?? 60
  const loads = new Map<number, number>()
  let queries = 0
  const query = async (id: number): Promise<Product> => {
    queries++
    await new Promise((resolve) => setTimeout(resolve, latencyMs))
    const version = (loads.get(id) ?? 0) + 1
    loads.set(id, version)
    return { id, name: `product ${id}`, priceCents: 100 + ((id * 7919) % 9900), version }
  }
  const getProduct = options.app.cache({
    name: 'getProduct',
    key: 'product:{0}',
    ttl: '3s',
    stale: '60s',
    tags: (id: number) => ['products', `product:${id}`],
  })(query)
  return {
    getProduct,
    /** Queries the fake database has answered. */
    queries: () => queries,
  }
}

/** What {@link createCatalog} returns. */
export type Catalog = ReturnType<typeof createCatalog>
