// Evidence packs: the archive lists every file with its SHA-256, the scope and
// the catalog version; its Ed25519 signature verifies offline with
// `deno task verify-pack`; any altered byte — anywhere in the file — fails.
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import { createReportTestbed } from "./_testbed.ts";
import { BufferSink, buildReport, loadPackKey, renderPack, verifyPack } from "./mod.ts";

const t = await createReportTestbed();
Deno.test.afterAll(() => t.close());
const key = await loadPackKey();
const content = await buildReport(
  t.bed.tdb.db,
  t.bed.claims,
  t.spec({ framework: "iso_27001_2022" }),
);
const sink = new BufferSink();
await renderPack(content, sink, { key });
const pack = sink.bytes();

async function cli(bytes: Uint8Array, ...extra: string[]) {
  const path = await Deno.makeTempFile({ suffix: ".zip" });
  await Deno.writeFile(path, bytes);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      new URL("../../scripts/verify_pack.ts", import.meta.url).pathname,
      path,
      ...extra,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(path);
  return {
    code: out.code,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

Deno.test("the pack holds the PDF, the workbook, the evidence JSON and a manifest of their SHA-256s", async () => {
  const entries = unzipSync(pack);
  assert.deepEqual(Object.keys(entries).sort(), [
    "evidence.json",
    "manifest.json",
    "report.pdf",
    "report.xlsx",
    "signature.json",
  ]);
  const manifest = JSON.parse(new TextDecoder().decode(entries["manifest.json"]));
  assert.equal(manifest.catalog_version, content.meta.catalog_version);
  assert.equal(manifest.scope.framework, "iso_27001_2022");
  // The audit chain's head as it stood: the pack pins the organization's audit trail.
  const [head] = await t.bed.tdb.db.sql<{ seq: string; hash: string }[]>`
    select seq, hash from private.audit_heads where org_id = ${content.meta.organization.id}`;
  assert.deepEqual(
    [manifest.audit_chain.head_seq, manifest.audit_chain.head_hash],
    [Number(head!.seq), head!.hash],
  );
  for (const file of manifest.files) {
    const digest = await crypto.subtle.digest("SHA-256", entries[file.name]! as BufferSource);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(hex, file.sha256, file.name);
  }
  assert.equal(new TextDecoder().decode(entries["report.pdf"]!.slice(0, 5)), "%PDF-");
  const evidence = JSON.parse(new TextDecoder().decode(entries["evidence.json"]));
  assert.equal(evidence.meta.run.id, content.meta.run.id);
});

Deno.test("verify-pack accepts the pack offline, and only with the published key when given", async () => {
  const ok = await cli(pack);
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /OK: .* intact and signed by key/);
  assert.equal((await verifyPack(pack, [key.publicJwk])).ok, true);
  const other = await loadPackKey();
  const jwks = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(jwks, JSON.stringify({ keys: [other.publicJwk] }));
  const untrusted = await cli(pack, "--jwks", jwks);
  await Deno.remove(jwks);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.text, /not among the trusted keys/);
});

Deno.test("tamper: changing any byte of the pack makes verification fail", async () => {
  const positions = new Set([
    0,
    1,
    30,
    pack.length - 1,
    pack.length - 22,
    Math.floor(pack.length / 2),
  ]);
  let seed = 7;
  while (positions.size < 60) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    positions.add(seed % pack.length);
  }
  for (const at of positions) {
    const altered = pack.slice();
    altered[at] = altered[at]! ^ 0x01;
    const result = await verifyPack(altered);
    assert.equal(result.ok, false, `byte ${at} of ${pack.length} altered, yet the pack verified`);
  }
  const altered = pack.slice();
  const third = Math.floor(pack.length / 3);
  altered[third] = altered[third]! ^ 0xff;
  const out = await cli(altered);
  assert.equal(out.code, 1);
  assert.match(out.text, /FAILED/);
});

Deno.test("a re-signed manifest with a swapped file still fails: the signature covers the manifest", async () => {
  const entries = unzipSync(pack);
  const { zipSync } = await import("fflate");
  const forged = zipSync({
    ...entries,
    "evidence.json": new TextEncoder().encode('{"findings":[]}'),
  });
  const result = await verifyPack(forged);
  assert.equal(result.ok, false);
  assert.ok(result.problems.some((p) => p.includes("evidence.json does not match")));
});
