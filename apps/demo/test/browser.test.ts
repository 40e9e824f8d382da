import { expect, it } from 'vitest'
import { launchChromium } from './browser'

it('fails with an install hint when chromium is missing', async () => {
  await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(/apt-get install -y chromium/)
})
