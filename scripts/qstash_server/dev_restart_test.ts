// Killing `deno task dev` in the middle of a multi-chunk job and starting it
// again completes that job, exactly once: the stand-in's messages and the job's
// cursor are in the database, the redelivery waits out the dead delivery's
// lease, and every chunk is counted once (the probe's checksum proves it).
import assert from "node:assert/strict";
import { probeChecksum } from "../../shared/tasks/mod.ts";
import { createTestDatabase, waitFor } from "../testing/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const ITEMS = 60;

interface Dev {
  url: string;
  process: Deno.ChildProcess;
}

async function startDev(env: Record<string, string>, args: string[]): Promise<Dev> {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/dev.ts", "--quiet", ...args],
    cwd: ROOT.pathname,
    env,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
    const match = /App:\s+(http:\/\/\S+?)\/?\s/.exec(seen);
    if (match && seen.includes("Tasks:")) {
      // Keep draining stdout so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
      return { url: match[1]!, process };
    }
  }
  process.kill("SIGKILL");
  throw new Error(`Cannot start deno task dev for the test; it printed:\n${seen}`);
}

async function signIn(url: string): Promise<string> {
  const config = await (await fetch(`${url}/app-config.json`)).json();
  const res = await fetch(`${url}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: config.supabaseAnonKey, "content-type": "application/json" },
    body: JSON.stringify({ email: "demo@complianceiq.local", password: "demo-password-2026" }),
  });
  assert.equal(res.status, 200, "the demo user signs in");
  return (await res.json()).access_token;
}

async function api(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/functions/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test({
  name: "killing deno task dev mid-job and starting it again completes the job exactly once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const env: Record<string, string> = {
      ...Deno.env.toObject(),
      TASKS_TIME_BUDGET_MS: "300",
      TASKS_LEASE_MS: "2000",
      NO_COLOR: "1",
    };
    delete env.QSTASH_TOKEN;
    // The same port for both runs, as `deno task dev` has: queued messages are
    // addressed to the public URL, port included.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const args: string[] = ["--port", String(port)];
    let cleanup = async () => {};
    if (Deno.env.get("DATABASE_URL")) {
      const tdb = await createTestDatabase();
      await tdb.db.close();
      env.DATABASE_URL = tdb.url;
      cleanup = () => tdb.close().catch(() => {});
    } else {
      delete env.DATABASE_URL;
      const dir = await Deno.makeTempDir({ prefix: "ciq-dev-restart-" });
      args.push("--data-dir", dir);
      cleanup = () => Deno.remove(dir, { recursive: true }).catch(() => {});
    }

    let dev = await startDev(env, args);
    try {
      const token = await signIn(dev.url);
      const orgs = await api(dev.url, token, "GET", "/organizations");
      const orgId = orgs.body.data[0].id as string;
      const started = await api(dev.url, token, "POST", "/tasks/probe", {
        org_id: orgId,
        items: ITEMS,
        item_delay_ms: 40,
        batch: 3,
      });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const jobId = started.body.data.id as string;

      const atKill = await waitFor("the job to be well under way", async () => {
        const job = (await api(dev.url, token, "GET", `/tasks/jobs/${jobId}`)).body.data;
        return job.progress >= 0.3 && job;
      }, 60_000);
      dev.process.kill("SIGKILL");
      await dev.process.status;
      assert.ok(atKill.progress < 1, "killed before the job finished");

      dev = await startDev(env, args);
      const done = await waitFor("the job to finish after the restart", async () => {
        const res = await api(dev.url, token, "GET", `/tasks/jobs/${jobId}`);
        if (res.status !== 200) {
          throw new Error(`GET job answered ${res.status}: ${JSON.stringify(res.body)}`);
        }
        const job = res.body.data;
        return ["succeeded", "failed", "cancelled"].includes(job.status) && job;
      }, 90_000);
      assert.equal(done.status, "succeeded", JSON.stringify(done));
      assert.deepEqual(done.result, { items: ITEMS, checksum: probeChecksum(ITEMS) });
      assert.deepEqual(done.counters, { processed: ITEMS });
      assert.ok(done.segment >= 2, "the job ran in several chunks");

      // A message cut off after its chunk committed is redelivered once the dead
      // process's heartbeat times out; wait for every delivery to settle.
      const deliveries = await waitFor("every delivery to settle", async () => {
        const rows = (await api(dev.url, token, "GET", `/tasks/jobs/${jobId}/deliveries`)).body
          .data as { segment: number; status: string }[];
        return rows.every((d) => d.status !== "running") && rows;
      }, 60_000);
      const succeeded = deliveries.filter((d) => d.status === "succeeded").map((d) => d.segment);
      assert.equal(new Set(succeeded).size, succeeded.length, "no chunk completed twice");
      // A delivery cut off after its chunk committed finds it done when redelivered
      // and records itself as a duplicate; every chunk is accounted for either way.
      const accounted = new Set(
        deliveries.filter((d) => d.status === "succeeded" || d.status === "duplicate")
          .map((d) => d.segment),
      );
      assert.deepEqual(
        [...accounted].sort((a, b) => a - b),
        Array.from({ length: done.segment + 1 }, (_, i) => i),
        "every chunk ran",
      );
      const list = await api(dev.url, token, "GET", `/tasks/jobs?org_id=${orgId}&kind=tasks.probe`);
      assert.equal(list.body.data.length, 1, "one job, not a second one");
    } finally {
      dev.process.kill("SIGTERM");
      await dev.process.status;
      await cleanup();
    }
  },
});
