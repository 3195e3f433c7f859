// Issue 13's done-when, end to end through the dev stack at the API level (so
// it runs on PGlite and on the PostgreSQL server; web/e2e/reports_test.ts walks
// the same page in the browser): after the demo instance's sync and analysis,
// a SOC 2 framework report is previewed and saved, generated as PDF and Excel
// with progress on the jobs stream, downloaded, shared outside the
// organization, scheduled monthly — and, with the QStash stand-in's clock moved
// to the 1st of a month, it arrives in the dev mailbox with the PDF attached.
import assert from "node:assert/strict";
import {
  apiCaller,
  fetchWithin,
  jobEvents,
  jobsOf,
  mailbox,
  signIn,
  waitFor,
} from "./_done_when.ts";
import { startStack } from "./stack.ts";

Deno.test("in the dev stack: a framework report previewed, generated as PDF and Excel with progress, downloaded, shared, scheduled monthly and received in the dev mailbox", async (t) => {
  // The stand-in's clock: real time plus an offset the last step moves forward.
  let offset = 0;
  const stack = await startStack({
    port: 0,
    quiet: true,
    fresh: true,
    qstashClock: () => Date.now() + offset,
  });
  try {
    const token = await signIn(stack);
    const call = apiCaller(stack, token);
    const orgId = stack.demo.orgId;
    const diagnose = jobsOf(stack, token, orgId);
    const spec = {
      title: "SOC 2 attestation — Zoë's audit",
      scope: { org_id: orgId, instance_id: stack.demoInstanceId, framework: "soc2_2017" },
      sections: ["summary", "attestation", "findings"],
    };

    let definitionId = "";
    await t.step(
      "the builder's preview shows the first page once the demo run exists",
      async () => {
        // The stack syncs the simulated instance and analyses it in the background.
        const preview = await waitFor("the demo instance's first analysis run", async () => {
          const res = await call("POST", "/reports/preview", { spec });
          if (res.status === 409) return null;
          assert.equal(res.status, 200, res.text);
          return res.body.data;
        }, { diagnose });
        assert.equal(preview.title, spec.title);
        assert.deepEqual(preview.sections.map((s: { id: string }) => s.id), spec.sections);
        assert.ok(
          preview.facts.some((f: { value: string }) => /SOC 2/.test(f.value)),
          JSON.stringify(preview.facts),
        );
        const saved = await call("POST", "/reports/definitions", {
          org_id: orgId,
          name: "SOC 2 monthly",
          spec,
          format: "pdf",
        });
        assert.equal(saved.status, 201, saved.text);
        definitionId = saved.body.data.id;
      },
    );

    const files: Record<string, { id: string; bytes: Uint8Array }> = {};
    await t.step(
      "PDF and Excel are generated with progress on the jobs stream and downloaded",
      async () => {
        for (const format of ["pdf", "xlsx"] as const) {
          const started = await call("POST", "/reports/exports", {
            definition_id: definitionId,
            format,
          });
          assert.equal(started.status, 202, started.text);
          const { id, job_id } = started.body.data;
          const events = await jobEvents(stack, token, job_id);
          const jobs = events.filter((e) => e.event === "job").map((e) => e.data!);
          const progress = jobs.map((j) => j.progress as number);
          assert.deepEqual(progress, [...progress].sort((x, y) => x - y), "progress only grows");
          assert.equal(jobs.at(-1)!.progress, 1);
          assert.deepEqual(events.at(-1), { event: "end", data: { status: "succeeded" } });
          const file = await call("GET", `/reports/exports/${id}`);
          assert.equal(file.body.data.status, "succeeded");
          const download = await fetchWithin(
            `${stack.url}/functions/v1/reports/exports/${id}/download`,
            { headers: { authorization: `Bearer ${token}` } },
          );
          assert.equal(download.status, 200);
          const bytes = new Uint8Array(await download.arrayBuffer());
          assert.equal(bytes.length, Number(file.body.data.byte_size));
          files[format] = { id, bytes };
        }
        assert.equal(new TextDecoder().decode(files.pdf!.bytes.subarray(0, 5)), "%PDF-");
        assert.equal(new TextDecoder().decode(files.xlsx!.bytes.subarray(0, 2)), "PK");
        // An independent reader opens the PDF and finds the report's title.
        const path = await Deno.makeTempFile({ suffix: ".pdf" });
        try {
          await Deno.writeFile(path, files.pdf!.bytes);
          const check = await new Deno.Command("qpdf", { args: ["--check", path] }).output();
          assert.equal(check.code, 0, new TextDecoder().decode(check.stdout));
          const text = await new Deno.Command("pdftotext", { args: ["-layout", path, "-"] })
            .output();
          assert.match(new TextDecoder().decode(text.stdout), /SOC 2 attestation — Zoë's audit/);
        } finally {
          await Deno.remove(path);
        }
      },
    );

    await t.step("a share link downloads the Excel file without signing in", async () => {
      const link = await call("POST", `/reports/exports/${files.xlsx!.id}/links`, {
        kind: "share",
        expires_in_days: 7,
        label: "External auditor",
      });
      assert.equal(link.status, 201, link.text);
      const res = await fetchWithin(link.body.data.url);
      assert.equal(res.status, 200);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), files.xlsx!.bytes);
    });

    await t.step(
      "scheduled monthly, the report arrives in the dev mailbox on the 1st",
      async () => {
        const auditor = `auditor-${crypto.randomUUID().slice(0, 8)}@done-when.test`;
        const scheduled = await call("PATCH", `/reports/definitions/${definitionId}`, {
          schedule: "monthly",
          recipients: [auditor],
        });
        assert.equal(scheduled.status, 200, scheduled.text);
        assert.equal(scheduled.body.data.schedule, "monthly");
        // 32 days later a 1st of the month at 06:mm UTC has always passed.
        offset = 32 * 24 * 3_600_000;
        const mail = await waitFor(
          "the scheduled report in the dev mailbox",
          async () => (await mailbox(stack, auditor)).find((m) => m.type === "report"),
          { diagnose },
        );
        assert.match(mail.subject, /^Report: SOC 2 monthly \(\d{4}-\d{2}-\d{2}\)$/);
        assert.match(mail.text, /The file is attached/);
        assert.equal(mail.attachments.length, 1);
        assert.match(mail.attachments[0]!.filename, /\.pdf$/);
        const list = await call("GET", `/reports/exports?org_id=${orgId}`);
        const scheduledFile = list.body.data.find((e: { trigger: string; sha256: string }) =>
          e.trigger === "schedule" && e.sha256 === mail.attachments[0]!.sha256
        );
        assert.ok(scheduledFile, "the attachment is the scheduled file, byte for byte");
        assert.equal(scheduledFile.definition_id, definitionId);
      },
    );
  } finally {
    await stack.stop();
  }
});
