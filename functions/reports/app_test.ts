// The reports API through the real app (JWT, zod, RLS, the task runner): who
// may save, generate, download and share; a generated file streamed back
// byte for byte; links that work without signing in, expire and are revoked;
// retention; and the audit trail of every generation, download and share.
import assert from "node:assert/strict";
import { createTestServices, type TestUser } from "../../scripts/testing/mod.ts";
import { createReportTestbed } from "../../shared/reports/_testbed.ts";
import { verifyPack } from "../../shared/reports/mod.ts";
import { createReportsApp } from "./app.ts";

const t = await createReportTestbed();
Deno.test.afterAll(() => t.close());
const { bed } = t;
const sql = bed.tdb.db.sql;
const app = createReportsApp(bed.services);

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/reports${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch { /* a file */ }
  return { status: res.status, body: json, text, bytes, headers: res.headers };
}

async function member(role: string): Promise<TestUser> {
  const user = await bed.auth.createUser(bed.tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${bed.orgId}, ${user.id}, ${role})`;
  return user;
}

const owner = bed.owner;
const analyst = await member("analyst");
const viewer = await member("viewer");
const outsider = await bed.auth.createUser(bed.tdb.db, { orgName: "Someone Else" });
const spec = t.spec({ title: "Monthly SOC 2 report", framework: "soc2_2017" });

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function generate(token: string, format: string) {
  const res = await call(token, "POST", "/exports", { spec, format });
  assert.equal(res.status, 202, res.text);
  await bed.services.tasks.drain({ maxDeliveries: 100 });
  const done = await call(token, "GET", `/exports/${res.body.data.id}`);
  assert.equal(done.body.data.status, "succeeded", done.text);
  return done.body.data;
}

/** What poppler reads from a PDF: its Producer and how many images it holds. */
async function pdfFacts(bytes: Uint8Array): Promise<{ producer: string; images: number }> {
  const path = await Deno.makeTempFile({ suffix: ".pdf" });
  await Deno.writeFile(path, bytes);
  try {
    const info = new TextDecoder().decode(
      (await new Deno.Command("pdfinfo", { args: [path] }).output()).stdout,
    );
    const list = new TextDecoder().decode(
      (await new Deno.Command("pdfimages", { args: ["-list", path] }).output()).stdout,
    );
    return {
      producer: info.match(/^Producer:\s+(.*)$/m)?.[1]?.trim() ?? "",
      images: list.split("\n").slice(2).filter((l) => l.trim()).length,
    };
  } finally {
    await Deno.remove(path);
  }
}

// A 1×1 PNG: the organization's logo.
const LOGO =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

Deno.test("white label: the organization's logo and name brand its PDFs, ComplianceIQ's does not", async () => {
  const plain = await generate(analyst.token, "pdf");
  const before = await pdfFacts(
    (await call(viewer.token, "GET", `/exports/${plain.id}/download`)).bytes,
  );
  assert.equal(before.producer, "ComplianceIQ");
  assert.equal(before.images, 0);
  await sql`update public.organizations
            set settings = settings || ${sql.json({ report_logo: LOGO, report_white_label: true })}
            where id = ${bed.orgId}`;
  try {
    const branded = await generate(analyst.token, "pdf");
    const after = await pdfFacts(
      (await call(viewer.token, "GET", `/exports/${branded.id}/download`)).bytes,
    );
    const [org] = await sql<{ name: string }[]>`
      select name from public.organizations where id = ${bed.orgId}`;
    assert.equal(after.producer, org!.name);
    assert.ok(after.images >= 1, "the logo is drawn");
  } finally {
    await sql`update public.organizations
              set settings = settings - 'report_logo' - 'report_white_label'
              where id = ${bed.orgId}`;
  }
});

Deno.test("saved reports: members read, analysts save, only admins schedule or add recipients", async () => {
  const body = { org_id: bed.orgId, name: "SOC 2 monthly", spec, format: "pdf" };
  const refused = await call(viewer.token, "POST", "/definitions", body);
  assert.equal(refused.status, 403);
  const created = await call(analyst.token, "POST", "/definitions", body);
  assert.equal(created.status, 201, created.text);
  const id = created.body.data.id;
  const scheduling = await call(analyst.token, "PATCH", `/definitions/${id}`, {
    schedule: "monthly",
  });
  assert.equal(scheduling.status, 403);
  const scheduled = await call(owner.token, "PATCH", `/definitions/${id}`, {
    schedule: "monthly",
    recipients: ["auditor@example.com"],
  });
  assert.equal(scheduled.status, 200, scheduled.text);
  assert.equal(scheduled.body.data.schedule, "monthly");
  const listed = await call(viewer.token, "GET", `/definitions?org_id=${bed.orgId}`);
  assert.deepEqual(listed.body.data.map((d: { id: string }) => d.id), [id]);
  assert.equal((await call(outsider.token, "GET", `/definitions/${id}`)).status, 404);
  assert.equal((await call(outsider.token, "GET", `/definitions?org_id=${bed.orgId}`)).status, 404);
  assert.equal(
    (await call(analyst.token, "DELETE", `/definitions/${id}`)).status,
    403,
    "scheduled: admin",
  );
  const bad = await call(analyst.token, "POST", "/definitions", { ...body, spec: { nope: 1 } });
  assert.equal(bad.status, 400);
  assert.equal(typeof bad.body.error.message, "string");
});

Deno.test("generate now: a job with progress; the file downloads byte for byte and passes qpdf", async () => {
  assert.equal((await call(viewer.token, "POST", "/exports", { spec, format: "pdf" })).status, 403);
  const file = await generate(analyst.token, "pdf");
  assert.equal(file.progress, 1);
  assert.match(file.filename, /^monthly-soc-2-report-acme-\S*\d{4}-\d{2}-\d{2}\.pdf$/);
  const [job] = await sql<{ status: string; counters: Record<string, number> }[]>`
    select status, counters from public.jobs where id = ${file.job_id}`;
  assert.equal(job!.status, "succeeded");
  assert.equal(job!.counters.findings, file.rows);
  const download = await call(viewer.token, "GET", `/exports/${file.id}/download`);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "application/pdf");
  assert.equal(download.bytes.length, file.byte_size);
  assert.equal(await sha256(download.bytes), file.sha256);
  assert.equal(download.headers.get("x-content-sha256"), file.sha256);
  const path = await Deno.makeTempFile({ suffix: ".pdf" });
  await Deno.writeFile(path, download.bytes);
  const check = await new Deno.Command("qpdf", { args: ["--check", path] }).output();
  await Deno.remove(path);
  assert.equal(check.code, 0);
  const list = await call(viewer.token, "GET", `/exports?org_id=${bed.orgId}`);
  assert.ok(list.body.data.some((e: { id: string }) => e.id === file.id));
  assert.equal((await call(outsider.token, "GET", `/exports/${file.id}/download`)).status, 404);
});

Deno.test("every format generates through the task: xlsx, csv, json", async () => {
  for (const format of ["xlsx", "csv", "json"]) {
    const file = await generate(analyst.token, format);
    const download = await call(analyst.token, "GET", `/exports/${file.id}/download`);
    assert.equal(await sha256(download.bytes), file.sha256, format);
    if (format === "json") assert.equal(JSON.parse(download.text).findings.length, file.rows);
    if (format === "csv") assert.equal(download.text.trim().split("\r\n").length, file.rows + 1);
  }
});

Deno.test("links: members get short download links; only admins share outside; revoked links stop at once", async () => {
  const file = await generate(analyst.token, "csv");
  const share = await call(analyst.token, "POST", `/exports/${file.id}/links`, { kind: "share" });
  assert.equal(share.status, 403);
  const mine = await call(viewer.token, "POST", `/exports/${file.id}/links`, {});
  assert.equal(mine.status, 201, mine.text);
  const shared = await call(owner.token, "POST", `/exports/${file.id}/links`, {
    kind: "share",
    expires_in_days: 7,
    label: "External auditor",
  });
  assert.equal(shared.status, 201, shared.text);
  const token = shared.body.data.token as string;
  assert.ok(shared.body.data.url.endsWith(`/reports/links/${token}`));
  // With a public URL the link names the gateway's path, as Supabase serves it.
  const publicApp = createReportsApp(
    createTestServices(bed.tdb.db, bed.auth, { PUBLIC_URL: "https://app.example.com" }),
  );
  const viaGateway = await publicApp.request(
    `http://localhost/reports/exports/${file.id}/links`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "share", expires_in_days: 1 }),
    },
  );
  const made = await viaGateway.json();
  assert.equal(
    made.data.url,
    `https://app.example.com/functions/v1/reports/links/${made.data.token}`,
  );
  const anonymous = await call(null, "GET", `/links/${token}`);
  assert.equal(anonymous.status, 200);
  assert.equal(await sha256(anonymous.bytes), file.sha256);
  const [stored] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.report_links where token_sha256 = ${token}`;
  assert.equal(stored!.n, 0, "only the token's digest is stored");
  assert.equal(
    (await call(analyst.token, "POST", `/links/${shared.body.data.link.id}/revoke`)).status,
    403,
  );
  const revoked = await call(owner.token, "POST", `/links/${shared.body.data.link.id}/revoke`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.data.active, false);
  const after = await call(null, "GET", `/links/${token}`);
  assert.equal(after.status, 404);
  assert.equal((await call(null, "GET", `/links/rpt_${"x".repeat(43)}`)).status, 404);
  await sql`update public.report_links set expires_at = now() - interval '1 second'
            where id = ${mine.body.data.link.id}`;
  assert.equal((await call(null, "GET", `/links/${mine.body.data.token}`)).status, 404, "expired");
  const events = await sql<{ action: string; via: string | null }[]>`
    select action, via from public.report_events where export_id = ${file.id} order by id`;
  assert.deepEqual(events.map((e) => `${e.action}:${e.via ?? ""}`), [
    "generated:",
    "shared:",
    "shared:", // the one made through the gateway's public URL
    "downloaded:link",
    "link_revoked:",
  ]);
});

Deno.test("retention: an expired file is deleted with its bytes, and downloads stop", async () => {
  const file = await generate(analyst.token, "json");
  await sql`update public.report_exports set expires_at = now() - interval '1 second' where id = ${file.id}`;
  assert.equal((await call(analyst.token, "GET", `/exports/${file.id}/download`)).status, 404);
  await generate(analyst.token, "csv"); // starting an export purges expired ones
  assert.equal((await call(analyst.token, "GET", `/exports/${file.id}`)).status, 404);
  const [chunks] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.report_file_chunks where export_id = ${file.id}`;
  assert.equal(chunks!.n, 0);
  const [event] = await sql<{ action: string }[]>`
    select action from public.report_events where export_id = ${file.id} order by id desc limit 1`;
  assert.equal(event!.action, "expired");
});

Deno.test("evidence packs need a plan that includes them: 402 with the plan to upgrade to", async () => {
  await sql`update public.organizations set plan = 'trial' where id = ${bed.orgId}`;
  const refused = await call(analyst.token, "POST", "/exports", { spec, format: "pack" });
  assert.equal(refused.status, 402, refused.text);
  assert.equal(refused.body.error.code, "feature_not_in_plan");
  assert.deepEqual(refused.body.error.details, {
    feature: "evidence_packs",
    plan: "trial",
    upgrade_to: "professional",
  });
  const [exports] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.report_exports
    where org_id = ${bed.orgId} and format = 'pack'`;
  assert.equal(exports!.n, 0, "nothing is queued");
});

Deno.test("evidence pack: generated as a task, verified against the key at the well-known endpoint", async () => {
  await sql`update public.organizations set plan = 'professional' where id = ${bed.orgId}`;
  const file = await generate(analyst.token, "pack");
  assert.match(file.filename, /\.zip$/);
  const download = await call(analyst.token, "GET", `/exports/${file.id}/download`);
  assert.equal(download.headers.get("content-type"), "application/zip");
  const jwks = await call(null, "GET", "/.well-known/jwks.json");
  assert.equal(jwks.status, 200);
  assert.equal(jwks.body.keys[0].crv, "Ed25519");
  const verdict = await verifyPack(download.bytes, jwks.body.keys);
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.manifest!.catalog_version.startsWith("c-"), true);
});

Deno.test("GET /reports/definitions pages by name: pages of 2 cover every saved report once; bad cursors are 400", async () => {
  // Another organization of the owner's, so the earlier tests' reports do not count.
  const other = await bed.auth.createUser(bed.tdb.db, { orgName: "Paging Corp" });
  await sql`update public.organizations set plan = 'enterprise' where id = ${other.orgId!}`;
  for (const name of ["delta", "Alpha", "charlie", "Bravo", "echo"]) {
    await sql`insert into public.report_definitions (org_id, name, spec, format)
              values (${other.orgId!}, ${name}, ${sql.json(spec)}, 'pdf')`;
  }
  const path = `/definitions?org_id=${other.orgId}`;
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await call(other.token, "GET", `${path}&limit=2${query}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.data.length <= 2);
    seen.push(...res.body.data.map((d: { name: string }) => d.name));
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, ["Alpha", "Bravo", "charlie", "delta", "echo"], "by name, any case");
  const whole = await call(other.token, "GET", path);
  assert.equal(whole.body.data.length, 5);
  assert.equal(whole.body.next_cursor, null);
  const first = await call(other.token, "GET", `${path}&limit=2`);
  const tampered = await call(
    other.token,
    "GET",
    `${path}&cursor=${first.body.next_cursor.slice(0, -3)}x`,
  );
  assert.equal(tampered.status, 400, tampered.text);
  assert.equal(tampered.body.error.code, "invalid_cursor");
  const forged = await call(other.token, "GET", `${path}&cursor=${btoa('["a","not-a-uuid"]')}`);
  assert.equal(forged.status, 400, forged.text);
  assert.equal(forged.body.error.code, "invalid_cursor");
  assert.equal((await call(other.token, "GET", `${path}&limit=201`)).status, 400);
});
