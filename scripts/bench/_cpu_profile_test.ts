import assert from "node:assert/strict";
import { type CpuProfile, moduleOf, timeByModule } from "./_cpu_profile.ts";

const PG = "file:///root/.cache/deno/npm/registry.npmjs.org/postgres/3.4.9/cjs/src/connection.js";

Deno.test("a profile's busy time inside the windows, by module, biggest first", () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(idle)", url: "" } },
      { id: 2, callFrame: { functionName: "parse", url: PG } },
      {
        id: 3,
        callFrame: { functionName: "toView", url: "file:///work/x/shared/instances/store.ts" },
      },
      { id: 4, callFrame: { functionName: "(garbage collector)", url: "" } },
    ],
    startTime: 1_000,
    // Samples at 1100, 1200, … 1800 µs, each 100 µs long.
    samples: [2, 2, 3, 1, 4, 2, 2, 3],
    timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100],
  };
  // The window holds the samples at 1200–1600: postgres, ours, idle (left out), GC, postgres.
  assert.deepEqual(timeByModule(profile, [[1_200, 1_600]]), [
    { module: "npm:postgres", ms: 0.2, share: 0.5 },
    { module: "shared/instances", ms: 0.1, share: 0.25 },
    { module: "(native) (garbage collector)", ms: 0.1, share: 0.25 },
  ]);
  assert.deepEqual(timeByModule(profile, [[5_000, 6_000]]), []);
});

Deno.test("frames are named by package, extension or folder of ours", () => {
  assert.equal(moduleOf({ functionName: "x", url: PG }), "npm:postgres");
  assert.equal(
    moduleOf({
      functionName: "json",
      url: "file:///w/node_modules/.deno/hono@4.13.19/node_modules/hono/dist/context.js",
    }),
    "npm:hono",
  );
  assert.equal(
    moduleOf({ functionName: "x", url: "ext:deno_http/00_serve.ts" }),
    "ext:deno_http",
  );
  assert.equal(
    moduleOf({ functionName: "gate", url: "file:///work/main/shared/http/gate.ts" }),
    "shared/http",
  );
  assert.equal(moduleOf({ functionName: "", url: "" }), "(native) anonymous");
});
