import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'

/** A finished span, as `/traces` shows it. */
export interface SpanSummary {
  name: string
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  durationMs: number
  attributes: Record<string, unknown>
  events: string[]
  status: 'unset' | 'ok' | 'error'
}

const STATUS = ['unset', 'ok', 'error'] as const

/** A span exporter that keeps the last `capacity` spans in memory, for the demo's `/traces`. */
export class SpanRing implements SpanExporter {
  readonly #capacity: number
  #spans: SpanSummary[] = []

  constructor(capacity = 200) {
    this.#capacity = capacity
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      this.#spans.push({
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        durationMs: span.duration[0] * 1000 + span.duration[1] / 1e6,
        attributes: { ...span.attributes },
        events: span.events.map((event) => event.name),
        status: STATUS[span.status.code] ?? 'unset',
      })
    }
    if (this.#spans.length > this.#capacity) this.#spans = this.#spans.slice(-this.#capacity)
    done({ code: ExportResultCode.SUCCESS })
  }

  /** The spans kept, oldest first. */
  recent(): SpanSummary[] {
    return [...this.#spans]
  }

  async shutdown(): Promise<void> {
    this.#spans = []
  }
}
