import assert from "node:assert/strict";
import { startStack } from "./stack.ts";
import { DEMO_INSTANCE_NAME } from "./snow_demo.ts";

Deno.test("the dev stack serves the simulator, syncs the demo organization's instance and analyses it", async () => {
  const stack = await startStack({ port: 0, quiet: true, fresh: true });
  try {
    assert.ok(stack.snow, "the simulator is on");
    assert.ok(stack.demoInstanceId, "the demo instance exists");
    const [instance] = await stack.db.sql`
      select name, url, status, org_id from public.instances where id = ${stack.demoInstanceId}`;
    assert.equal(instance!.name, DEMO_INSTANCE_NAME);
    assert.equal(instance!.org_id, stack.demo.orgId);
    assert.equal(instance!.status, "healthy");
    assert.equal(instance!.url, `${stack.url}/snow-sim/acme`);

    // The simulator answers on the stack's own port.
    const probe = await fetch(`${instance!.url}/api/now/table/sys_user?sysparm_limit=1`, {
      headers: { authorization: `Basic ${btoa("complianceiq.integration:integration-password")}` },
    });
    assert.equal(probe.status, 200);
    await probe.body?.cancel();

    // The initial sync runs through the task queue (QStash stand-in → tasks function).
    let status = "";
    for (let i = 0; i < 600 && !["succeeded", "partial", "failed"].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [run] = await stack.db.sql`
        select status from public.sync_runs where instance_id = ${stack.demoInstanceId}
        order by created_at limit 1`;
      status = run?.status ?? "";
    }
    assert.equal(status, "succeeded");
    const [users] = await stack.db.sql`
      select count(*)::int as n from public.snow_records
      where instance_id = ${stack.demoInstanceId} and table_name = 'sys_user'`;
    assert.equal(users!.n, stack.snow.sim.instance("acme").dataset.table("sys_user").size);

    // The product follows the sync with an analysis (queued by the sync task).
    let analysis = "";
    for (let i = 0; i < 600 && !["succeeded", "failed", "cancelled"].includes(analysis); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [run] = await stack.db.sql`
        select status from public.analysis_runs
        where instance_id = ${stack.demoInstanceId} and trigger = 'sync'
        order by created_at limit 1`;
      analysis = run?.status ?? "";
    }
    assert.equal(analysis, "succeeded");
  } finally {
    await stack.stop();
  }
});
