// Run by otlp_test.ts with OTEL_DENO=true: publishes one task message inside a
// span through the production QStash transport, and prints the span's trace id.
import { trace } from "@opentelemetry/api";
import { createQStashTransport, type OutgoingMessage } from "../tasks/transport.ts";

const transport = createQStashTransport({
  baseUrl: Deno.env.get("QSTASH_URL")!,
  token: "probe-token",
  callbackUrl: "http://127.0.0.1:9/tasks/qstash",
  clientRetries: 0,
});
await trace.getTracer("probe").startActiveSpan("enqueue", async (span) => {
  const message = { body: { kind: "probe" }, retries: 0 } as unknown as OutgoingMessage;
  await transport.publish(message);
  span.end();
  // deno-lint-ignore no-console -- the test reads this line
  console.log(JSON.stringify({ traceId: span.spanContext().traceId }));
});
