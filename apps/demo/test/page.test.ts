import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetricsStats } from '@stratacache/core'
import type { Page } from 'playwright-core'
import { afterEach, expect, it } from 'vitest'
import { type DemoServer, startServer } from '../src/serve/server'
import { launchChromium } from './browser'

/** Where the test leaves its screenshot. */
const OUTPUT = fileURLToPath(new URL('../test-results/', import.meta.url))

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Polls `check` until it returns a value other than `undefined`, for at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const started = Date.now()
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The text of a tier's cell, or of a function card. */
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? ''
const tierCell = (page: Page, tier: string, field: string) =>
  text(page, `[data-tier="${tier}"][data-field="${field}"]`)
const fnCard = (page: Page, field: string) => text(page, `[data-fn="${field}"]`)
const number = (text: string) => Number.parseFloat(text.replace('%', ''))

async function driveLoad(page: Page): Promise<void> {
  const before = await text(page, '#log')
  await page.click('#load')
  await until('the load to finish', async () => {
    const log = await text(page, '#log')
    return log.startsWith('load:') && log !== before ? log : undefined
  })
}

it('shows live per-tier and function numbers that match /stats, an outage and the recovery', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratacache-page-test-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const server: DemoServer = await startServer({ dir, latencyMs: 20 })
  cleanups.push(() => server.close())
  const browser = await launchChromium()
  cleanups.push(browser.close)
  const page = await browser.context.newPage()
  const stats = async () => (await (await fetch(`${server.url}/stats`)).json()) as MetricsStats

  await page.goto(server.url)
  await page.locator('[data-tier="L2:file"][data-field="hits"]').waitFor()
  expect(await fnCard(page, 'hits')).toBe('0')

  // Load: the numbers move, and once the traffic stops they are those of /stats.
  await driveLoad(page)
  await until('the page to match /stats', async () => {
    const shown = {
      l1Hits: await tierCell(page, 'L1:memory', 'hits'),
      l1Misses: await tierCell(page, 'L1:memory', 'misses'),
      l1HitRate: await tierCell(page, 'L1:memory', 'hitRate'),
      fnHits: await fnCard(page, 'hits'),
      fnMisses: await fnCard(page, 'misses'),
      fnHitRate: await fnCard(page, 'hitRate'),
    }
    const now = await stats()
    const expected = {
      l1Hits: String(now.caches['L1:memory']?.hits),
      l1Misses: String(now.caches['L1:memory']?.misses),
      l1HitRate: `${now.caches['L1:memory']?.hitRatePercent.toFixed(1)}%`,
      fnHits: String(now.caches.getProduct?.hits),
      fnMisses: String(now.caches.getProduct?.misses),
      fnHitRate: `${now.caches.getProduct?.hitRatePercent.toFixed(1)}%`,
    }
    return JSON.stringify(shown) === JSON.stringify(expected) ? shown : undefined
  })
  expect(number(await fnCard(page, 'hits'))).toBeGreaterThan(0)
  expect(number(await tierCell(page, 'L1:memory', 'hits'))).toBeGreaterThan(0)
  expect(number(await tierCell(page, 'L1:memory', 'entries'))).toBeGreaterThan(0)
  expect(await tierCell(page, 'L1:memory', 'p99')).toMatch(/(µs|ms)$/)

  // Outage of L1: its reads fail (errors rise), the chain falls back to L2, callers still get answers.
  const l2HitsBefore = number(await tierCell(page, 'L2:file', 'hits'))
  await page.click('[data-outage="L1:memory"]')
  await until('L1 to show DOWN', async () =>
    (await tierCell(page, 'L1:memory', 'status')) === 'DOWN' ? true : undefined,
  )
  await driveLoad(page)
  await until('L1 errors to rise', async () =>
    number(await tierCell(page, 'L1:memory', 'errors')) > 0 ? true : undefined,
  )
  await until('L1 to answer nothing', async () =>
    (await tierCell(page, 'L1:memory', 'answered')) === '0.0%' ? true : undefined,
  )
  expect(number(await tierCell(page, 'L2:file', 'hits'))).toBeGreaterThan(l2HitsBefore)
  expect(await text(page, '#log')).toMatch(/300 requests/)

  // Recovery: L1 comes back cold, refills from L2, and answers most reads again.
  await page.click('[data-outage="L1:memory"]')
  await until('L1 to show up', async () =>
    (await tierCell(page, 'L1:memory', 'status')) === 'up' ? true : undefined,
  )
  const answered = await until(
    'the L1 hit rate to recover',
    async () => {
      await driveLoad(page)
      const rate = number(await tierCell(page, 'L1:memory', 'answered'))
      return rate >= 80 ? rate : undefined
    },
    30_000,
  )
  expect(answered).toBeGreaterThanOrEqual(80)
  // the page's error count is every failed L1 operation in /stats (reads and the promotions' writes)
  await until('the L1 errors to match /stats', async () => {
    const failed = Object.entries((await stats()).errors)
      .filter(([series]) => series.startsWith('L1:memory.'))
      .reduce((sum, [, byType]) => sum + Object.values(byType).reduce((a, b) => a + b, 0), 0)
    return failed > 0 && number(await tierCell(page, 'L1:memory', 'errors')) === failed ? failed : undefined
  })

  await mkdir(OUTPUT, { recursive: true })
  const screenshot = join(OUTPUT, 'demo-page.png')
  await page.screenshot({ path: screenshot, fullPage: true })
  expect((await stat(screenshot)).size).toBeGreaterThan(10_000)
}, 120_000)
