// The builder's live preview: the first page of the PDF as data, read under the
// caller's row-level security, and the very lines the PDF's cover prints.
import assert from "node:assert/strict";
import { createReportTestbed, INSTANCE_NAME, ORG_NAME } from "../../shared/reports/_testbed.ts";
import { BufferSink, buildReport, coverFacts, renderPdf } from "../../shared/reports/mod.ts";
import { createReportsApp } from "./app.ts";

const t = await createReportTestbed();
Deno.test.afterAll(() => t.close());
const { bed } = t;
const app = createReportsApp(bed.services);

async function preview(token: string, body: unknown) {
  const res = await app.request("http://localhost/reports/preview", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("preview: the cover of a framework report, its score and the sections it lists", async () => {
  const spec = t.spec({
    title: "SOC 2 attestation",
    framework: "soc2_2017",
    sections: ["attestation", "summary", "findings"],
  });
  const res = await preview(bed.owner.token, { spec });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const page = res.body.data;
  assert.equal(page.organization, ORG_NAME);
  assert.equal(page.title, "SOC 2 attestation");
  const facts = Object.fromEntries(
    page.facts.map((f: { label: string; value: string }) => [f.label, f.value]),
  );
  assert.match(facts.Instance, new RegExp(`^${INSTANCE_NAME} `));
  assert.match(facts.Framework, /SOC 2/);
  assert.match(facts["Analysis run"], new RegExp(t.runId));
  assert.equal(facts.Filters, "None (every finding of the run)");
  assert.equal(typeof page.overall_score, "number");
  // In the order the document prints them, whatever order they were chosen in.
  assert.deepEqual(page.sections.map((s: { id: string }) => s.id), [
    "summary",
    "attestation",
    "findings",
  ]);
  assert.ok(page.expected_findings > 0);
});

Deno.test("preview: without the executive summary there is no score; filters are stated", async () => {
  const spec = t.spec({ sections: ["coverage"], filters: { severity: ["critical"] } });
  const page = (await preview(bed.owner.token, { spec })).body.data;
  assert.equal("overall_score" in page, false);
  assert.equal(page.expected_findings, 0);
  assert.equal(
    page.facts.find((f: { label: string }) => f.label === "Filters").value,
    "severity: critical",
  );
});

Deno.test("preview: someone outside the organization gets 404; a bad spec 400", async () => {
  const outsider = await bed.auth.createUser(bed.tdb.db, { orgName: "Elsewhere" });
  const spec = t.spec();
  assert.equal((await preview(outsider.token, { spec })).status, 404);
  const bad = await preview(bed.owner.token, { spec: { ...spec, sections: [] } });
  assert.equal(bad.status, 400);
  assert.equal(typeof bad.body.error.message, "string");
});

Deno.test("preview: the PDF's cover prints the same lines", async () => {
  const spec = t.spec({ sections: ["summary"] });
  const content = await buildReport(bed.tdb.db, bed.claims, spec);
  const sink = new BufferSink();
  await renderPdf(content, sink);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/r.pdf`, sink.bytes());
    const out = await new Deno.Command("pdftotext", {
      args: ["-f", "1", "-l", "1", "-layout", `${dir}/r.pdf`, "-"],
    }).output();
    const cover = new TextDecoder().decode(out.stdout).replace(/\s+/g, " ");
    for (const fact of coverFacts(content)) {
      assert.ok(cover.includes(fact.label), `${fact.label} on the cover`);
      assert.ok(cover.includes(fact.value.slice(0, 20)), `${fact.value} on the cover`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
