// Tracing through Deno's built-in OpenTelemetry (OTEL_DENO=true): Deno traces
// every request `Deno.serve` handles and every outgoing `fetch`; the spans made
// here (database transactions) join the same trace through
// `@opentelemetry/api`. Without OTEL_DENO these calls are no-ops.
import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

const tracer = trace.getTracer("complianceiq");

/** Attributes a span may carry. */
export type SpanAttributes = Record<string, string | number | boolean>;

/**
 * Runs `fn` inside a span that is a child of the active one, ending it when the
 * promise settles and marking it failed when it rejects.
 *
 * @param name the span's name, e.g. `db.transaction`
 * @param attributes OpenTelemetry semantic attributes
 * @param fn the work, given the span
 */
export function inSpan<T>(
  name: string,
  attributes: SpanAttributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The active trace context as W3C `traceparent`/`tracestate` headers, for
 * carrying a trace through a queue (QStash forwards them to the delivery).
 * Empty when tracing is off or no span is active.
 */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Notes a SQL statement on the active span (its text only: parameters may be
 * tenant data or secrets).
 *
 * @param statement the SQL text as sent
 */
export function recordStatement(statement: string): void {
  trace.getActiveSpan()?.addEvent("db.statement", { "db.statement": statement.slice(0, 2000) });
}
