#!/usr/bin/env node
// Reads vitest's JSON report and prints the closing line `N passed, N failed[, N skipped]`.
// A test file that failed before any of its tests ran (an import error, a failing beforeAll)
// counts as one failure, so a broken file can never look green.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** @param {string} reportPath */
export function summarize(reportPath) {
  if (!existsSync(reportPath)) return { failed: 1, text: '0 passed, 1 failed' }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'))
  const passed = report.numPassedTests ?? 0
  let failed = report.numFailedTests ?? 0
  for (const file of report.testResults ?? []) {
    const failedInFile = (file.assertionResults ?? []).filter((t) => t.status === 'failed').length
    if (file.status === 'failed' && failedInFile === 0) failed += 1
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  const text = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`
  return { failed, text }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(summarize(process.argv[2] ?? '.vitest-report.json').text)
}
