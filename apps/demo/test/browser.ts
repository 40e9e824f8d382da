import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's chromium, which `.ci/run` installs (`apt-get install -y chromium`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * A headless chromium with a fresh profile; `close()` ends the browser and removes the profile.
 * A missing browser is an error that says how to install it (never a skipped test).
 */
export async function launchChromium(
  executablePath = CHROMIUM,
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  try {
    await access(executablePath)
  } catch {
    throw new Error(
      `The browser test needs Debian's chromium at ${executablePath}: install it with \`apt-get install -y chromium\` ` +
        '(or set CHROMIUM_PATH to a Chromium binary)',
    )
  }
  const profile = await mkdtemp(join(tmpdir(), 'stratacache-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    })
    return {
      context,
      close: async () => {
        await context.close()
        await rm(profile, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
}
