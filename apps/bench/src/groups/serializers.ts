import { jsonSerializer, type Serializer } from '@stratacache/core'
import { msgpackSerializer } from '@stratacache/core/msgpack'
import type { BenchCase, BenchGroup, BenchTarget } from '../harness'

/** A payload both serializers must round-trip, named for the rows. */
interface Payload {
  name: string
  value: unknown
}

/** Deterministic doubles with full precision, like sensor readings or prices after arithmetic. */
function doubles(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.sqrt(i + 2) * 1000)
}

const PAYLOADS: Payload[] = [
  { name: '1,000 doubles', value: { series: doubles(1000) } },
  { name: '1,000 integers', value: { ids: Array.from({ length: 1000 }, (_, i) => i * 37) } },
  { name: 'Float64Array(1,000)', value: Float64Array.from(doubles(1000)) },
  { name: '64 KiB of bytes', value: new Uint8Array(64 * 1024).map((_, i) => (i * 31) & 0xff) },
]

const SERIALIZERS: Serializer[] = [jsonSerializer, msgpackSerializer]

const caseName = (serializer: Serializer, operation: 'encode' | 'decode', payload: Payload) =>
  `${serializer.name} ${operation}, ${payload.name}`

/** Group 16b: `msgpackSerializer` against the default JSON serializer on numbers and bytes. */
export const serializersGroup: BenchGroup = {
  id: 'serializers',
  number: '16b',
  title: 'Serializers: json and msgpack on numbers and bytes',
  about: [
    'One `encode` and one `decode` of a payload by the serializer a byte store (Redis, S3, GCS, file) writes values with:',
    'the default type-preserving `jsonSerializer` and `msgpackSerializer` from `@stratacache/core/msgpack` (msgpackr).',
    'Payloads: 1,000 full-precision doubles and 1,000 integers in a plain array, the same doubles as a `Float64Array`, and',
    '64 KiB of binary data. Each case first checks that the payload round-trips. Sizes: group 16c. Short decimals',
    '(`1.5`) are the one numeric case where JSON text is the smaller: msgpack writes every non-integer as a float64.',
  ].join(' '),
  floor: caseName(jsonSerializer, 'encode', PAYLOADS[0] as Payload),
  targets: PAYLOADS.flatMap((payload) =>
    (['encode', 'decode'] as const).map(
      (operation): BenchTarget => ({
        label: `msgpack ${operation} ≤ json ${operation}, ${payload.name}`,
        source: 'issue 16',
        subject: caseName(msgpackSerializer, operation, payload),
        baseline: caseName(jsonSerializer, operation, payload),
        kind: 'atMost',
        ratio: 1,
      }),
    ),
  ),
  async setup() {
    const cases: BenchCase[] = []
    for (const payload of PAYLOADS) {
      for (const serializer of SERIALIZERS) {
        const bytes = serializer.encode(payload.value)
        const back = serializer.decode(bytes)
        if (
          JSON.stringify(Object.entries(back as object)) !==
          JSON.stringify(Object.entries(payload.value as object))
        )
          throw new Error(
            `bench case "${caseName(serializer, 'decode', payload)}": the payload does not round-trip`,
          )
        cases.push(
          { name: caseName(serializer, 'encode', payload), fn: () => serializer.encode(payload.value) },
          { name: caseName(serializer, 'decode', payload), fn: () => serializer.decode(bytes) },
        )
      }
    }
    return { cases }
  },
}

const sizeRow = (serializer: Serializer, payload: Payload) => `${serializer.name}, ${payload.name}`

/** Group 16c: the bytes each serializer writes for the payloads of group 16b. */
export const serializerSizeGroup: BenchGroup = {
  id: 'serializer-size',
  number: '16c',
  title: 'Serializers: bytes written',
  about:
    'The length of `encode(payload)` for the payloads of group 16b (before the entry header and any compression).',
  targets: PAYLOADS.map(
    (payload): BenchTarget => ({
      label: `msgpack bytes ≤ json bytes, ${payload.name}`,
      source: 'issue 16',
      subject: sizeRow(msgpackSerializer, payload),
      baseline: sizeRow(jsonSerializer, payload),
      kind: 'atMost',
      ratio: 1,
      column: 'bytes',
    }),
  ),
  async table() {
    return {
      columns: ['bytes'],
      rows: PAYLOADS.flatMap((payload) =>
        SERIALIZERS.map((serializer) => ({
          name: sizeRow(serializer, payload),
          values: { bytes: serializer.encode(payload.value).length },
        })),
      ),
    }
  },
}
