// A monthly report through the real queue: saving the schedule creates it in
// the QStash stand-in (read back with the real `@upstash/qstash` client); on
// the 1st of the month, on the stand-in's clock, the schedule fires over HTTP
// into the tasks function, which generates the report and emails it to the
// dev mailbox — the same path as `deno task dev`.
import assert from "node:assert/strict";
import { Client } from "@upstash/qstash";
import { ensureDevSchema } from "../../scripts/auth_server/_schema.ts";
import { devReportDelivery } from "../../scripts/dev/report_delivery.ts";
import { startQStashLoopback } from "../../scripts/testing/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import { createReportTestbed } from "../../shared/reports/_testbed.ts";
import { reportScheduleId, setReportDelivery } from "../../shared/reports/mod.ts";
import { createTaskClientFromConfig, createTaskRegistry } from "../../shared/tasks/mod.ts";
import { TASK_KINDS } from "../tasks/kinds.ts";
import { createTasksApp } from "../tasks/app.ts";
import { createReportsApp } from "./app.ts";

Deno.test("a monthly schedule fires through the QStash stand-in and the report reaches the dev mailbox", async () => {
  const t = await createReportTestbed();
  const { bed } = t;
  const sql = bed.tdb.db.sql;
  await ensureDevSchema(sql);
  let now = Date.parse("2027-01-31T12:00:00Z");
  const loopback = await startQStashLoopback({
    sql,
    log: bed.services.log,
    clock: () => now,
    retryDelayScale: 0.0005,
    pollMs: 50,
  });
  setReportDelivery(devReportDelivery(sql, loopback.url));
  try {
    const config = loadConfig({
      ...loopback.env,
      TASKS_TIME_BUDGET_MS: "120000",
      TASKS_LEASE_MS: "10000",
    });
    const services: Services = {
      ...bed.services,
      config,
      tasks: createTaskClientFromConfig(config, { db: bed.tdb.db, log: bed.services.log }),
    };
    loopback.mount(createTasksApp(services, { registry: createTaskRegistry(TASK_KINDS) }).fetch);
    const reports = createReportsApp(services);

    const saved = await reports.request("http://localhost/reports/definitions", {
      method: "POST",
      headers: {
        authorization: `Bearer ${bed.owner.token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        org_id: bed.orgId,
        name: "Monthly for the board",
        spec: t.spec({ sections: ["summary"] }),
        format: "pdf",
        schedule: "monthly",
        recipients: ["board@example.com"],
      }),
    });
    assert.equal(saved.status, 201, await saved.clone().text());
    const { data } = await saved.json();

    const client = new Client({
      baseUrl: `${loopback.url}/qstash`,
      token: loopback.qstash.token,
      devMode: false,
      enableTelemetry: false,
      retry: false,
    });
    const schedule = await client.schedules.get(reportScheduleId(data.id));
    assert.match(schedule.cron, /^\d{1,2} 6 1 \* \*$/);
    assert.equal(schedule.destination, `${loopback.url}/functions/v1/tasks/qstash`);
    assert.equal(
      new Date(schedule.nextScheduleTime!).toISOString().slice(0, 13),
      "2027-02-01T06",
      "next firing: the 1st at 06:mm UTC",
    );

    await loopback.qstash.processDue();
    const early = await sql`select 1 from auth_dev.mailbox where to_email = 'board@example.com'`;
    assert.equal(early.length, 0, "nothing before the 1st");

    now = Date.parse("2027-02-01T07:00:00Z");
    await loopback.qstash.start();
    type Mail = { subject: string; attachments: { filename: string }[] };
    let mail: Mail | undefined;
    for (let i = 0; i < 600 && !mail; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [mail] = await sql<Mail[]>`
        select subject, attachments from auth_dev.mailbox where to_email = 'board@example.com'`;
    }
    assert.ok(mail, "the report reached the dev mailbox");
    assert.match(mail.subject, /^Report: Monthly for the board/);
    assert.match(mail.attachments[0]!.filename, /\.pdf$/);
    const [file] = await sql<{ trigger: string; status: string }[]>`
      select trigger, status from public.report_exports where definition_id = ${data.id}`;
    assert.deepEqual(file, { trigger: "schedule", status: "succeeded" });
  } finally {
    setReportDelivery(null);
    await loopback.close();
    await t.close();
  }
});
