import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { combineMetrics, createCache, InMemoryMetrics } from '@stratacache/core'
import { OpenTelemetryTracing } from '@stratacache/otel'
import { PrometheusMetrics } from '@stratacache/prometheus'
import { Registry } from 'prom-client'
import { createCatalog } from './catalog'
import { driveLoad } from './load'
import { SpanRing } from './span-ring'
import { buildTiers, tierUrls } from './tiers'

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Port on 127.0.0.1; `0` picks a free one. @defaultValue `0` */
  port?: number
  /** Directory of the default file tier. */
  dir: string
  /** `CACHE_TIERS`: comma-separated store URLs, fastest first. @defaultValue memory over a file tier in `dir` */
  cacheTiers?: string | undefined
  /** Also print every span to stdout (`TRACES=console`). @defaultValue `false` */
  printTraces?: boolean
  /** How long the fake database takes per query, in ms. @defaultValue `60` */
  latencyMs?: number
  /** Where handled errors go. @defaultValue nowhere (they are counted in the metrics) */
  onError?: (error: unknown) => void
}

/** A running demo service. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Stops the service: the port, running load, timers, stores and the tracer. Idempotent. */
  close(): Promise<void>
}

const PAGE = new URL('./page.html', import.meta.url)

function send(response: ServerResponse, status: number, body: string, type: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  response.end(body)
}

const json = (response: ServerResponse, body: unknown, status = 200): void =>
  send(response, status, JSON.stringify(body), 'application/json; charset=utf-8')

/**
 * Starts the demo service on 127.0.0.1: a product endpoint over a slow fake database, cached over
 * the tiers of `CACHE_TIERS`, with `/` (the live page), `/stats`, `/metrics`, `/traces`, `/state`
 * and the page's controls (`POST /load`, `/invalidate`, `/outage`).
 *
 * @example
 * ```ts
 * const server = await startServer({ dir: await mkdtemp(join(tmpdir(), 'demo-')) })
 * console.log(server.url) // http://127.0.0.1:41234
 * await server.close()
 * ```
 */
export async function startServer(options: ServerOptions): Promise<DemoServer> {
  const onError = options.onError ?? (() => {})
  const stats = new InMemoryMetrics()
  const registry = new Registry()
  const prometheus = new PrometheusMetrics({ registry })
  const metrics = combineMetrics(stats, prometheus)

  const page = await readFile(PAGE, 'utf8')
  const ring = new SpanRing()
  const processors: SpanProcessor[] = [new SimpleSpanProcessor(ring)]
  if (options.printTraces) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
  const tracerProvider = new BasicTracerProvider({ spanProcessors: processors })
  const tracing = new OpenTelemetryTracing({ tracerProvider })
  const requestTracer = tracerProvider.getTracer('@stratacache/demo')

  const { chain, tiers } = await buildTiers(
    tierUrls(options.cacheTiers, options.dir),
    combineMetrics(metrics, tracing.metrics),
    onError,
  )
  // Spans follow the async call tree (a lookup is a child of its request) once this is set.
  const contextManager = new AsyncLocalStorageContextManager().enable()
  const ownsContext = context.setGlobalContextManager(contextManager)
  const app = createCache({ store: chain, prefix: 'demo', metrics, tracer: tracing, onError })
  const catalog = createCatalog({ app, latencyMs: options.latencyMs })

  /** One product request, in a span as an HTTP server's instrumentation would make. */
  const product = (id: number) =>
    requestTracer.startActiveSpan('GET /api/products/:id', async (span) => {
      try {
        return await catalog.getProduct(id)
      } finally {
        span.end()
      }
    })

  const stopping = new AbortController()
  const loads = new Set<Promise<unknown>>()
  const load = (requests: number) => {
    const running = driveLoad(product, { requests, signal: stopping.signal })
    loads.add(running)
    void running.finally(() => loads.delete(running))
    return running
  }

  const routes: Record<string, (url: URL, response: ServerResponse) => Promise<void> | void> = {
    'GET /': (_url, response) => send(response, 200, page, 'text/html; charset=utf-8'),
    'GET /stats': (_url, response) => json(response, stats.getStats()),
    'GET /metrics': async (_url, response) =>
      send(response, 200, await registry.metrics(), registry.contentType),
    'GET /traces': (_url, response) => json(response, ring.recent()),
    'GET /state': (_url, response) =>
      json(response, {
        tiers: tiers.map((tier) => ({ name: tier.name, url: tier.url, down: tier.switch.down })),
        cache: 'getProduct',
        queries: catalog.queries(),
      }),
    'POST /load': async (url, response) => {
      const requests = Math.min(Math.max(Number(url.searchParams.get('requests') ?? 300) || 0, 1), 10_000)
      json(response, await load(requests))
    },
    'POST /invalidate': async (url, response) => {
      const tag = url.searchParams.get('tag') ?? 'products'
      await catalog.getProduct.invalidateTags([tag])
      json(response, { invalidated: tag })
    },
    'POST /outage': async (url, response) => {
      const tier = tiers.find((candidate) => candidate.name === url.searchParams.get('tier'))
      if (tier === undefined) return json(response, { error: 'unknown tier' }, 404)
      const down = url.searchParams.get('down') === 'true'
      // A memory tier that comes back is a restarted process: it starts cold.
      if (!down && tier.switch.down && tier.url.startsWith('memory:')) {
        tier.switch.down = false
        await tier.switch.wipe()
      }
      tier.switch.down = down
      json(response, { tier: tier.name, down })
    },
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const productId = /^\/api\/products\/(\d{1,6})$/.exec(url.pathname)?.[1]
    try {
      if (request.method === 'GET' && productId !== undefined)
        return json(response, await product(Number(productId)))
      const route = routes[`${request.method} ${url.pathname}`]
      if (route === undefined) return json(response, { error: 'not found' }, 404)
      await route(url, response)
    } catch (error) {
      onError(error)
      json(response, { error: String(error) }, 500)
    }
  }

  const server = createServer((request, response) => void handle(request, response))
  const release = async (): Promise<void> => {
    await app.bg.shutdown()
    for (const tier of tiers) tier.switch.down = false
    await chain.close()
    await tracerProvider.shutdown()
    contextManager.disable()
    // Only the server that registered the global context manager unregisters it.
    if (ownsContext) context.disable()
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
    })
  } catch (error) {
    await release()
    throw error
  }
  const { port } = server.address() as AddressInfo

  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    stopping.abort()
    await Promise.allSettled(loads)
    await stopped
    await release()
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      closed ??= close()
      return closed
    },
  }
}
