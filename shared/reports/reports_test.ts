// Reports end to end on an analysed simulated instance: the content model under
// RLS, and every format read back by an independent reader — PDFs by qpdf and
// pdftotext, workbooks by openpyxl and CSV by Python's csv module — and compared
// with the API's data.
import assert from "node:assert/strict";
import { listFindings } from "../analysis/mod.ts";
import { createReportTestbed, FORMULA_RESOURCE, INSTANCE_NAME, ORG_NAME } from "./_testbed.ts";
import {
  BufferSink,
  buildReport,
  FINDING_COLUMNS,
  renderCsv,
  renderJson,
  renderPdf,
  renderXlsx,
  type ReportFinding,
} from "./mod.ts";

const t = await createReportTestbed();
Deno.test.afterAll(() => t.close());
const { bed } = t;
const db = bed.tdb.db;

async function allFindings(query: Record<string, unknown> = {}) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await listFindings(db, bed.claims, {
      run_id: t.runId,
      sort: "severity",
      limit: 200,
      cursor,
      ...query,
    } as never);
    out.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

async function run(cmd: string, args: string[], stdin?: Uint8Array) {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function tempFile(bytes: Uint8Array, suffix: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix });
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("the content model: scope, sections, generated-at/by, catalog version, under RLS", async () => {
  const now = new Date("2026-11-30T08:00:00Z");
  const content = await buildReport(db, bed.claims, t.spec(), { now });
  const [run] = await db.sql<{ catalog_version: string }[]>`
    select catalog_version from public.analysis_runs where id = ${t.runId}`;
  assert.equal(content.meta.run.id, t.runId, "latest succeeded run by default");
  assert.equal(content.meta.catalog_version, run!.catalog_version);
  assert.equal(content.meta.organization.name, ORG_NAME);
  assert.equal(content.meta.instance.name, INSTANCE_NAME);
  assert.equal(content.meta.generated_at, now);
  assert.equal(content.meta.generated_by.email, bed.owner.email);
  assert.ok(content.summary!.scores.overall.score !== null);
  assert.equal(content.summary!.trend.length, 2, "both runs in the trend");
  assert.equal(content.changes!.previous_run_id, t.previousRunId);
  assert.equal(content.suppressions!.length, 1);
  assert.ok(content.coverage!.some((c) => c.state === "read"));
  assert.equal(content.attestation!.length, 7, "every framework without a framework scope");
  const manual = content.attestation!.flatMap((f) => f.requirements)
    .filter((r) => r.coverage === "manual");
  for (const r of manual) assert.equal(r.checks.length, 0);
  const failing = content.attestation!.flatMap((f) => f.requirements).find((r) =>
    r.status === "FAIL"
  )!;
  assert.ok(failing.evidence_summary[0]!.includes("failing"));

  const listed: ReportFinding[] = [];
  for await (const f of content.findings()) listed.push(f);
  const api = await allFindings();
  assert.ok(api.length > 200, `more than one page of findings (${api.length})`);
  assert.deepEqual(listed.map((f) => f.id), api.map((f) => f.id));
  assert.ok(listed.every((f) => typeof f.remediation === "string"));
});

Deno.test("scope: a framework and filters narrow the findings exactly as the findings list does", async () => {
  const content = await buildReport(
    db,
    bed.claims,
    t.spec({ framework: "soc2_2017", filters: { severity: ["critical", "high"] } }),
  );
  const listed: string[] = [];
  for await (const f of content.findings()) listed.push(f.id);
  const api = await allFindings({ framework: "soc2_2017", severity: ["critical", "high"] });
  assert.deepEqual(listed, api.map((f) => f.id));
  assert.deepEqual(content.attestation!.map((f) => f.id), ["soc2_2017"]);
  const sections = await buildReport(db, bed.claims, t.spec({ sections: ["coverage"] }));
  assert.equal(sections.summary, null);
  let count = 0;
  for await (const _ of sections.findings()) count++;
  assert.equal(count, 0, "no findings section, no findings");
});

Deno.test("RLS: someone outside the organization cannot build its report", async () => {
  const outsider = await bed.auth.createUser(db, { orgName: "Elsewhere" });
  await assert.rejects(
    buildReport(db, { sub: outsider.id, role: "authenticated", email: outsider.email }, t.spec()),
    (e: Error & { status?: number }) => e.status === 404,
  );
});

Deno.test("CSV: RFC 4180 parsed back equals the API's findings; BOM; formula injection neutralised", async () => {
  const content = await buildReport(db, bed.claims, t.spec());
  const sink = new BufferSink();
  const rows = await renderCsv(content, sink, { bom: true });
  const bytes = sink.bytes();
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
  const text = new TextDecoder().decode(bytes.slice(3));
  assert.ok(text.includes("\r\n"), "CRLF line ends");
  // Python's csv module, strict, as the independent reader.
  const parsed = await run("/usr/bin/python3", [
    "-c",
    "import csv,json,sys; r=csv.reader(open(sys.argv[1],newline='',encoding='utf-8-sig'),strict=True); json.dump(list(r),sys.stdout)",
    await tempFile(bytes, ".csv"),
  ]);
  assert.equal(parsed.code, 0, parsed.stderr);
  const records: string[][] = JSON.parse(parsed.stdout);
  const [head, ...body] = records;
  assert.deepEqual(head, FINDING_COLUMNS.map((c) => c.header));
  assert.equal(body.length, rows);
  const api = await allFindings();
  assert.equal(body.length, api.length);
  const col = (k: string) => FINDING_COLUMNS.findIndex((c) => c.key === k);
  api.forEach((f, i) => {
    const row = body[i]!;
    assert.equal(row[col("id")], f.id);
    assert.equal(row[col("severity")], f.severity);
    if (f.resource_key === FORMULA_RESOURCE) {
      assert.equal(row[col("resource_key")], `'${FORMULA_RESOURCE}`, "formula neutralised");
    } else assert.equal(row[col("resource_key")], f.resource_key);
    assert.deepEqual(JSON.parse(row[col("evidence")]!), f.evidence);
    assert.equal(row[col("first_seen_at")], new Date(f.first_seen_at).toISOString());
  });
  assert.ok(api.some((f) => f.resource_key === FORMULA_RESOURCE), "the planted formula is listed");
  for (const row of body) {
    for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `unsafe cell ${cell}`);
  }
  const plain = new BufferSink();
  await renderCsv(content, plain);
  assert.notEqual(plain.bytes()[0], 0xef, "no BOM unless asked");
});

Deno.test("JSON: the API's shapes, findings streamed", async () => {
  const content = await buildReport(db, bed.claims, t.spec());
  const sink = new BufferSink();
  await renderJson(content, sink);
  const doc = JSON.parse(new TextDecoder().decode(sink.bytes()));
  assert.equal(doc.meta.catalog_version, content.meta.catalog_version);
  const api = await allFindings();
  assert.deepEqual(doc.findings.map((f: { id: string }) => f.id), api.map((f) => f.id));
  assert.deepEqual(doc.findings[0].evidence, api[0]!.evidence);
  assert.equal(doc.summary.scores.overall.score, content.summary!.scores.overall.score);
});

Deno.test("Excel: openpyxl reads the sheets back; cells match the API; dates are dates; filters and frozen header", async () => {
  const content = await buildReport(db, bed.claims, t.spec());
  const sink = new BufferSink();
  await renderXlsx(content, sink);
  const path = await tempFile(sink.bytes(), ".xlsx");
  const out = await run("/usr/bin/python3", [
    new URL("../../scripts/testing/read_xlsx.py", import.meta.url).pathname,
    path,
  ]);
  await Deno.remove(path);
  assert.equal(out.code, 0, out.stderr);
  const book = JSON.parse(out.stdout);
  assert.deepEqual(Object.keys(book), [
    "Summary",
    "Findings",
    "Evidence",
    "Requirements",
    "Run metadata",
  ]);
  const findings = book.Findings;
  assert.equal(findings.freeze_panes, "A2");
  assert.match(findings.auto_filter, /^A1:[A-Z]+1$/);
  const [head, ...rows] = findings.rows;
  assert.deepEqual(head.map((c: { v: string }) => c.v), FINDING_COLUMNS.map((c) => c.header));
  const api = await allFindings();
  assert.equal(rows.length, api.length);
  const col = (k: string) => FINDING_COLUMNS.findIndex((c) => c.key === k);
  api.forEach((f, i) => {
    const row = rows[i];
    assert.equal(row[col("id")].v, f.id);
    assert.equal(row[col("resource_key")].v, f.resource_key, "text cells are stored as text");
    assert.equal(row[col("first_seen_at")].t, "date");
    assert.equal(
      new Date(row[col("first_seen_at")].v + "Z").getTime(),
      Math.floor(new Date(f.first_seen_at).getTime()),
    );
    assert.equal(row[col("reopened_count")].t, "number");
    assert.equal(row[col("muted")].t, "bool");
    assert.equal(row[col("muted")].v, f.muted);
  });
  assert.equal(
    findings.fills.critical ?? findings.fills.high,
    api.some((f) => f.severity === "critical") ? "FFB91C1C" : "FFEA580C",
  );
  const summary = Object.fromEntries(
    book.Summary.rows.slice(1).map((r: ({ v: unknown } | null)[]) => [r[0]!.v, r[1]?.v ?? null]),
  );
  assert.equal(summary["Overall score"], content.summary!.scores.overall.score);
  assert.equal(summary["Failing findings"], content.summary!.summary.findings.failing);
  const evidenceRows = book.Evidence.rows.length - 1;
  const expected = api.reduce((n, f) => n + Object.keys(f.evidence ?? {}).length, 0);
  assert.equal(evidenceRows, expected);
  const requirements = book.Requirements.rows.length - 1;
  assert.equal(requirements, content.attestation!.reduce((n, f) => n + f.requirements.length, 0));
  const meta = Object.fromEntries(
    book["Run metadata"].rows.slice(1).map((r: { v: unknown; t: string }[]) => [r[0]!.v, r[1]]),
  );
  assert.equal(meta["Catalog version"].v, content.meta.catalog_version);
  assert.equal(meta["Generated at"].t, "date");
  assert.equal(meta.Organization.v, ORG_NAME);
});

Deno.test("PDF: qpdf finds no damage; pdftotext reads the cover, contents, Unicode names, page numbers and findings", async () => {
  const content = await buildReport(db, bed.claims, t.spec());
  const sink = new BufferSink();
  const listed = await renderPdf(content, sink);
  const path = await tempFile(sink.bytes(), ".pdf");
  try {
    const check = await run("qpdf", ["--check", path]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /No syntax or stream encoding errors found/);
    const text = (await run("pdftotext", ["-layout", path, "-"])).stdout;
    const pages = text.split("\f").filter((p) => p.trim());
    assert.ok(pages.length > 5, `several pages (${pages.length})`);
    assert.ok(pages[0]!.includes(ORG_NAME), "organization name on the cover, Unicode intact");
    assert.ok(pages[0]!.includes("Quarterly compliance report"));
    assert.ok(pages[0]!.includes(content.meta.catalog_version));
    assert.ok(pages[1]!.includes("Contents"));
    for (
      const title of [
        "Executive summary",
        "Framework attestation",
        "Findings by severity",
        "Sync coverage",
      ]
    ) {
      assert.ok(pages[1]!.includes(title), `contents lists ${title}`);
    }
    pages.slice(1).forEach((p, i) =>
      assert.ok(p.includes(`Page ${i + 2} of ${pages.length}`), `page number on page ${i + 2}`)
    );
    assert.ok(pages.slice(1).every((p) => p.includes(INSTANCE_NAME)), "footer on every page");
    const api = await allFindings();
    assert.equal(listed, api.length);
    const flat = text.replace(/\s+/g, " ");
    for (const f of [api[0]!, api[Math.floor(api.length / 2)]!, api.at(-1)!]) {
      assert.ok(flat.includes(f.check_id), `lists ${f.check_id}`);
    }
    assert.ok(flat.includes("Accepted risk: legacy integration,"), "suppression reason");
    assert.ok(flat.includes("owner Zoë"), "Unicode in data survives");
    const headers = pages.filter((p) => /Resource\s+Status\s+Change \/ triage\s+Evidence/.test(p));
    assert.ok(headers.length >= 2, "the findings table header repeats on continued pages");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("PDF: past the cap, findings are counted per check and the PDF points to the workbook and CSV", async () => {
  const content = await buildReport(db, bed.claims, t.spec({ sections: ["findings"] }));
  const api = await allFindings();
  const max = 10;
  assert.ok(api.length > max * 2, `enough findings to cap (${api.length})`);
  const sink = new BufferSink();
  const rows = await renderPdf(content, sink, { maxFindings: max });
  assert.equal(rows, api.length, "every finding is accounted for");
  const path = await tempFile(sink.bytes(), ".pdf");
  try {
    assert.equal((await run("qpdf", ["--check", path])).code, 0);
    const flat = (await run("pdftotext", [path, "-"])).stdout.replace(/\s+/g, " ");
    assert.ok(
      flat.includes(`This PDF lists the first ${max} findings of ${content.expected_findings}`),
      flat.slice(0, 2000),
    );
    assert.ok(
      flat.includes("The Excel workbook and the CSV export of this report list every finding"),
    );
    const omitted = [...flat.matchAll(/([\d,]+) more findings? of this check not listed here/g)]
      .reduce((sum, m) => sum + Number(m[1]!.replaceAll(",", "")), 0);
    assert.equal(omitted, api.length - max, "the counts add up to the findings not listed");
    const checks = new Set(api.map((f) => f.check_id));
    // Long check ids wrap inside the heading: compare without the spaces.
    const dense = flat.replaceAll(" ", "");
    for (const id of checks) assert.ok(dense.includes(id), `every check keeps its heading: ${id}`);
    assert.ok(
      !flat.includes(api.at(-1)!.resource_key) ||
        api.slice(0, max).some((f) => f.resource_key === api.at(-1)!.resource_key),
      "findings past the cap are not listed",
    );
  } finally {
    await Deno.remove(path);
  }
});
