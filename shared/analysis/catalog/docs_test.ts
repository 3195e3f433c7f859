import assert from "node:assert/strict";
import { CHECKS, FRAMEWORKS } from "./catalog.ts";
import {
  catalogDocument,
  CHECKS_DOC_PATH,
  generatedDocuments,
  renderChecksMarkdown,
} from "./docs.ts";
import { HARDENING_SETTINGS, SKIPPED_HARDENING_SETTINGS } from "./hardening.ts";
import { hardeningAnchor, renderHardeningReference } from "./reference.ts";

const ROOT = new URL("../../../", import.meta.url);

Deno.test("docs/checks.md is up to date with the catalog (run `deno task catalog` when this fails)", async () => {
  const committed = await Deno.readTextFile(new URL(CHECKS_DOC_PATH, ROOT));
  assert.ok(
    committed === renderChecksMarkdown(CHECKS, FRAMEWORKS),
    `${CHECKS_DOC_PATH} is stale: run \`deno task catalog\``,
  );
});

Deno.test("every generated document is up to date (run `deno task catalog` when this fails)", async () => {
  for (const [path, text] of generatedDocuments(CHECKS, FRAMEWORKS)) {
    const committed = await Deno.readTextFile(new URL(path, ROOT)).catch(() => "");
    assert.ok(committed === text, `${path} is stale: run \`deno task catalog\``);
  }
});

Deno.test("docs/servicenow/hardening.md gives every setting its values under an anchor named after its key", () => {
  const markdown = renderHardeningReference(HARDENING_SETTINGS, SKIPPED_HARDENING_SETTINGS);
  const timeout = markdown.split("\n").find((l) =>
    l.includes(`<a id="${hardeningAnchor("glide.ui.session_timeout")}"></a>`)
  );
  assert.ok(timeout, "glide.ui.session_timeout has no row");
  // Recommended "60 or less", no record on a base system, the platform uses 30 when absent.
  assert.match(timeout, /\| 60 or less \|.*\| no record \| `30` \|/);
  for (const s of HARDENING_SETTINGS) {
    assert.ok(markdown.includes(`<a id="${hardeningAnchor(s.key)}"></a>`), s.key);
  }
  for (const s of SKIPPED_HARDENING_SETTINGS) {
    assert.ok(
      markdown.includes(`<a id="${hardeningAnchor(s.configuration)}"></a>`),
      s.configuration,
    );
  }
  assert.ok(markdown.includes("## Settings Security Center no longer lists"));
});

Deno.test("renderChecksMarkdown() documents every check and every framework requirement", () => {
  const markdown = renderChecksMarkdown(CHECKS, FRAMEWORKS);
  for (const c of CHECKS) assert.ok(markdown.includes(`\`${c.id}\``), `${c.id} is not documented`);
  for (const f of FRAMEWORKS) {
    assert.ok(markdown.includes(`### ${f.name}`), f.name);
    for (const r of f.requirements) assert.ok(markdown.includes(`**${r.id}**`), `${f.id} ${r.id}`);
  }
  assert.ok(
    markdown.includes("## Identity and access") && markdown.includes("### Session management"),
  );
});

Deno.test("`deno task catalog --json` prints the whole catalog as JSON", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read=docs",
      "--allow-write=docs",
      "scripts/catalog.ts",
      "--json",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const printed = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.deepEqual(printed, JSON.parse(JSON.stringify(catalogDocument(CHECKS, FRAMEWORKS))));
  assert.equal(printed.checks.length, CHECKS.length);
  const dormant = printed.checks.find((c: { id: string }) =>
    c.id === "identity_privileged_account_dormant"
  );
  assert.deepEqual(dormant.controls, ["A1"]);
  assert.ok(
    dormant.frameworks.some((m: { framework: string; requirement: string }) =>
      m.framework === "nist_800_53_r5" && m.requirement === "AC-2(3)"
    ),
  );
});
