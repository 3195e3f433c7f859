// deno task dev [--fresh] [--port 8000] [--quiet] [--data-dir .data/pglite]
// Runs ComplianceIQ in one process and prints where to log in.
import { parseArgs } from "node:util";
import { startStack } from "./dev/stack.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    fresh: { type: "boolean", default: false },
    port: { type: "string", default: Deno.env.get("PORT") ?? "8000" },
    host: { type: "string", default: "127.0.0.1" },
    quiet: { type: "boolean", default: false },
    "data-dir": { type: "string" },
  },
});

// deno-lint-ignore no-console
const say = (line = "") => console.log(line);

const stack = await startStack({
  port: Number(values.port),
  hostname: values.host,
  persist: true,
  fresh: values.fresh,
  quiet: values.quiet,
  dataDir: values["data-dir"],
});

say();
say("  ComplianceIQ is running");
say(`  App:       ${stack.url}/`);
say(`  Log in:    ${stack.demo.email} / ${stack.demo.password}`);
say(`  API:       ${stack.url}/functions/v1/<function> (reference: ${stack.url}/api-reference)`);
say(`  Metrics:   ${stack.url}/functions/v1/<function>/metrics`);
say(`             Authorization: Bearer ${stack.services.config.METRICS_TOKEN}`);
say(`  Auth:      ${stack.url}/auth/v1 (local Supabase Auth stand-in)`);
say(`  Mailbox:   ${stack.url}/auth/v1/_dev/mailbox`);
say(`  SMS:       ${stack.url}/auth/v1/_dev/sms`);
if (stack.qstash) say(`  Tasks:     ${stack.url}/qstash (local QStash stand-in)`);
if (stack.snow) {
  say(
    `  ServiceNow: ${
      stack.snow.instanceUrl(stack.url)
    } (simulator; admin API at ${stack.url}/snow-sim/_sim)`,
  );
  if (stack.demoInstanceId) {
    say(
      '             connected to the demo organization as "Acme (simulated ServiceNow)", sync started',
    );
  }
}
say(`  Database:  ${stack.databaseLabel}`);
say(`  Redis:     ${stack.redisLabel}`);
say(`  Billing:   ${stack.billingLabel}`);
say("  Ctrl-C to stop; --fresh to start over with empty data.");
say();

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  say("\n  Stopping ComplianceIQ…");
  await stack.stop();
  say("  Stopped cleanly.");
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
