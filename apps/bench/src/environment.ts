import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The packages measured, in the order RESULTS.md lists them. */
const LIBRARIES = [
  '@stratacache/core',
  '@stratacache/redis',
  '@stratacache/s3',
  '@stratacache/otel',
  'lru-cache',
  'bentocache',
  'cache-manager',
  'cacheable',
  '@epic-web/cachified',
  'async-cache-dedupe',
  'keyv',
  '@keyv/redis',
  'ioredis',
  '@aws-sdk/client-s3',
  'fauxqs',
  '@opentelemetry/api',
  '@opentelemetry/sdk-metrics',
  'mitata',
] as const

/** Where the machine and the run stood when the numbers were taken. */
export interface Environment {
  cpuModel: string
  cores: number
  memoryGiB: number
  node: string
  v8: string
  platform: string
  /** 1-minute load average at the start of the run (other processes share the cores). */
  loadAverageAtStart: number
  /** `redis-server --version`, when a group used Redis. */
  redis?: string
  libraries: Record<string, string>
  startedAt: string
}

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The version in `name`'s package.json, as installed for this app (read from disk, not from memory). */
function installedVersion(name: string): string {
  const file = join(benchDir, 'node_modules', name, 'package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

/** Machine, runtime and library versions. */
export function describeEnvironment(): Environment {
  const processors = cpus()
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg()[0] ?? 0,
    libraries: Object.fromEntries(LIBRARIES.map((name) => [name, installedVersion(name)])),
    startedAt: new Date().toISOString(),
  }
}
