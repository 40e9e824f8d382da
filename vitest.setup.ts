import { afterAll, beforeAll } from 'vitest'

// Any unhandled rejection or uncaught exception fails the run: vitest reports these as errors.
// This hook additionally records them so a test file can assert none happened in its own window.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled)
})

afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
  if (unhandled.length > 0) {
    throw new Error(`unhandled rejection(s) during this file: ${unhandled.map(String).join('; ')}`)
  }
})
