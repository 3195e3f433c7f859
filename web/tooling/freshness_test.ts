import assert from "node:assert/strict";
import { BUILD_INFO_FILE, hashWebSources, webBuildStatus } from "./freshness.ts";

Deno.test("webBuildStatus() tells missing, stale and fresh builds apart", async () => {
  const dist = `${await Deno.makeTempDir()}/`;
  try {
    assert.equal((await webBuildStatus(dist)).reason, "missing");
    await Deno.writeTextFile(`${dist}index.html`, "<!doctype html>");
    await Deno.writeTextFile(
      `${dist}${BUILD_INFO_FILE}`,
      JSON.stringify({ sourceHash: "old", builtAt: "" }),
    );
    assert.equal((await webBuildStatus(dist)).reason, "stale");
    const sourceHash = await hashWebSources();
    assert.match(sourceHash, /^[0-9a-f]{64}$/);
    await Deno.writeTextFile(
      `${dist}${BUILD_INFO_FILE}`,
      JSON.stringify({ sourceHash, builtAt: "" }),
    );
    assert.deepEqual(await webBuildStatus(dist), { fresh: true, reason: "fresh", sourceHash });
  } finally {
    await Deno.remove(dist, { recursive: true });
  }
});
