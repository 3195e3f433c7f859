import assert from "node:assert/strict";
import { loadAppConfig, parseAppConfig } from "./config.ts";

Deno.test("parseAppConfig() resolves relative URLs and names a missing key", () => {
  const config = parseAppConfig(
    { supabaseUrl: "/", supabaseAnonKey: "anon", functionsUrl: "/functions/v1/", devMailbox: true },
    "https://app.test",
  );
  assert.deepEqual(config, {
    supabaseUrl: "https://app.test",
    supabaseAnonKey: "anon",
    functionsUrl: "https://app.test/functions/v1",
    devMailbox: true,
  });
  assert.throws(
    () =>
      parseAppConfig(
        { supabaseUrl: "https://x.test", functionsUrl: "https://x.test/f" },
        "https://app.test",
      ),
    /has no "supabaseAnonKey"/,
  );
});

Deno.test("loadAppConfig() reports an unreachable or failing config endpoint", async () => {
  await assert.rejects(
    loadAppConfig("https://app.test", () => Promise.resolve(new Response("nope", { status: 503 }))),
    /app-config\.json answered 503/,
  );
  await assert.rejects(
    loadAppConfig("https://app.test", () => Promise.reject(new TypeError("offline"))),
    /server could not be reached/,
  );
});
