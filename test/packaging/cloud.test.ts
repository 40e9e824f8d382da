import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GcsEmulator, startGcsEmulator } from '../../packages/gcs/test/support/gcs-emulator'
import {
  type S3TestServer,
  startS3TestServer,
  TEST_CREDENTIALS,
} from '../../packages/s3/test/support/s3-server'
import {
  exampleModules,
  firstTsExample,
  npmInstall,
  npmTree,
  run,
  runNode,
  tarballDependencies,
  userEnv,
  writeApp,
} from './user-app'
import { publishablePackages, ROOT } from './workspace-packages'

// The cloud adapters as a user gets them: one fresh npm application outside the workspace,
// installed from the tarballs of core, chain, s3 and gcs with the client libraries at the versions
// the packages are tested with, runs the main example of each README as written (ESM, then
// CommonJS as the process "after a restart") and storeFromUrl('s3://…' / 'gs://…') from ESM and
// CommonJS, against fauxqs (S3) and the firebase-tools Cloud Storage emulator on 127.0.0.1.

const USED = ['@stratacache/core', '@stratacache/chain', '@stratacache/s3', '@stratacache/gcs']

/** The version of `dependency` a package of the workspace is tested with (its devDependencies). */
function testedVersion(pkg: string, dependency: string): string {
  const manifest = publishablePackages().find((p) => p.name === pkg)?.manifest
  const version = (manifest?.devDependencies as Record<string, string> | undefined)?.[dependency]
  if (version === undefined) throw new Error(`${pkg} has no devDependency on ${dependency}`)
  return version
}

/** The bucket the READMEs' examples name. */
const BUCKET = 'my-app-cache'

const work = mkdtempSync(join(tmpdir(), 'stratacache-cloud-app-'))
const dir = join(work, 'app')
let s3: S3TestServer | undefined
let gcs: GcsEmulator | undefined
let installed = ''

beforeAll(async () => {
  writeApp(dir, {
    type: 'commonjs',
    files: ['cloud-from-url.mjs', 'cloud-from-url.cjs'],
    dependencies: {
      ...tarballDependencies(USED),
      '@aws-sdk/client-s3': testedVersion('@stratacache/s3', '@aws-sdk/client-s3'),
      '@google-cloud/storage': testedVersion('@stratacache/gcs', '@google-cloud/storage'),
    },
  })
  // The install and both servers at once; all settled first, so afterAll stops whatever started.
  const [install, ...servers] = await Promise.allSettled([
    npmInstall(dir),
    startS3TestServer().then((server) => {
      s3 = server
      server.createBucket(BUCKET)
    }),
    startGcsEmulator().then(async (emulator) => {
      gcs = emulator
      await emulator.createBucket(BUCKET)
    }),
  ])
  for (const result of [install, ...servers]) if (result.status === 'rejected') throw result.reason
  installed = (install as PromiseFulfilledResult<string>).value
})

afterAll(async () => {
  await Promise.all([s3?.stop(), gcs?.close()])
  rmSync(work, { recursive: true, force: true })
})

/** Writes a README's main example into the application as `<name>.mjs` and `<name>.cjs`. */
function writeExample(name: string, readme: string, parts: { prelude: string; epilogue: string }): void {
  const { mjs, cjs } = exampleModules(firstTsExample(join(ROOT, readme)), parts)
  writeFileSync(join(dir, `${name}.mjs`), mjs)
  writeFileSync(join(dir, `${name}.cjs`), cjs)
}

/**
 * Runs an example file; what its epilogue printed, `{ computed }` (how often the cached function
 * ran), and its stderr (where the store's warnings go: a failed cache write is not an error).
 */
async function runExample(file: string, env: Record<string, string>) {
  const { stdout, stderr } = await run('node', [file], { cwd: dir, env: userEnv(env), timeout: 30_000 })
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return { ...(JSON.parse(line) as { computed: number }), stderr }
}

describe('@stratacache/s3 and @stratacache/gcs installed from the tarballs (npm)', () => {
  it('install with their peers and no npm warning', async () => {
    expect(installed).not.toMatch(/UNMET|ERESOLVE|peer dep/i)
    // node-fetch@2 (under @google-cloud/storage) has an optional peer, `encoding`, that npm lists as
    // UNMET OPTIONAL; our own packages declare no optional peer (tarballs.test.ts).
    const problems = (await npmTree(dir))
      .split('\n')
      .filter((line) => /UNMET|invalid|missing/i.test(line) && !/UNMET OPTIONAL DEPENDENCY/.test(line))
    expect(problems).toEqual([])
  })

  it("run the s3 README's main example: computed once (ESM), then from S3 after a restart (CommonJS)", async () => {
    if (s3 === undefined) throw new Error('fauxqs did not start')
    writeExample('s3-readme', 'packages/s3/README.md', {
      prelude:
        'let computed = 0\nasync function computeEmbeddings(corpus) {\n  computed++\n  return { corpus, vector: [0.25, 0.5] }\n}',
      // The example closes its store on SIGTERM, as an orchestrator stops the process, here at
      // once: close() lets the background write of the value still in flight land first.
      epilogue: ['console.log(JSON.stringify({ computed }))', 'process.kill(process.pid, "SIGTERM")'].join(
        '\n',
      ),
    })
    // What the README tells a user to set for an S3-compatible service; credentials the SDK's way.
    const env = {
      // a host name, not an IP address: the SDK addresses the bucket by host name there unless the
      // example asks for path style
      AWS_ENDPOINT_URL_S3: `http://localhost:${s3.port}`,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    }
    const first = await runExample('s3-readme.mjs', env)
    expect(first.computed, first.stderr).toBe(1)
    const restart = await runExample('s3-readme.cjs', env)
    expect(restart.computed, restart.stderr).toBe(0)
  })

  it("run the gcs README's main example: computed once (ESM), then from GCS after a restart (CommonJS)", async () => {
    if (gcs === undefined) throw new Error('the GCS emulator did not start')
    writeExample('gcs-readme', 'packages/gcs/README.md', {
      prelude:
        'let computed = 0\nasync function buildReport(year) {\n  computed++\n  return { year, total: 42 }\n}',
      epilogue: 'console.log(JSON.stringify({ computed }))',
    })
    // What the README tells a user to set for the emulator.
    const env = { STORAGE_EMULATOR_HOST: gcs.apiEndpoint }
    const first = await runExample('gcs-readme.mjs', env)
    expect(first.computed, first.stderr).toBe(1)
    const restart = await runExample('gcs-readme.cjs', env)
    expect(restart.computed, restart.stderr).toBe(0)
  })

  it('storeFromUrl finds the installed adapters and returns their classes (ESM and CommonJS)', async () => {
    if (s3 === undefined || gcs === undefined) throw new Error('a server did not start')
    const env = {
      S3_URL: `s3://${BUCKET}/from-url/?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1&forcePathStyle=true`,
      GCS_URL: `gs://${BUCKET}/from-url?apiEndpoint=${encodeURIComponent(gcs.apiEndpoint)}&projectId=${gcs.projectId}`,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    }
    expect(await runNode(dir, 'cloud-from-url.mjs', { env })).toContain('cloud-from-url.mjs: ok')
    expect(await runNode(dir, 'cloud-from-url.cjs', { env })).toContain('cloud-from-url.cjs: ok')
  })
})
