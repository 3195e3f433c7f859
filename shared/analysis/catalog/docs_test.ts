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
    assert.ok(markdown.includes(`(frameworks/${f.id}.md)`), `${f.id} links its coverage report`);
    for (const r of f.requirements.filter((x) => x.checks.length > 0)) {
      assert.ok(markdown.includes(`**${r.id}**`), `${f.id} ${r.id}`);
    }
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

Deno.test("each framework's coverage report lists every requirement under its coverage", () => {
  const documents = generatedDocuments(CHECKS, FRAMEWORKS);
  const index = documents.get("docs/frameworks/README.md")!;
  for (const f of FRAMEWORKS) {
    const report = documents.get(`docs/frameworks/${f.id}.md`);
    assert.ok(report, `${f.id} has no coverage report`);
    assert.ok(index.includes(`](${f.id}.md)`), `${f.id} is not in the index`);
    const sections = report.split(/^## /m).slice(1);
    const find = (title: string) => sections.find((s) => s.startsWith(`${title} (`)) ?? "";
    const titles = {
      covered: "Covered",
      partial: "Partially covered",
      not_covered: "Not covered",
      manual: "Manual",
    };
    for (const r of f.requirements) {
      assert.ok(find(titles[r.coverage]).includes(`**${r.id}** `), `${f.id} ${r.id}`);
    }
    const total = Object.values(titles).reduce(
      (sum, t) => sum + Number(/\((\d+)\)/.exec(find(t))?.[1] ?? NaN),
      0,
    );
    assert.equal(total, f.requirements.length);
  }
  const iso = documents.get("docs/frameworks/iso_27001_2022.md")!;
  assert.match(iso, /\| 93 \|/);
  assert.ok(find(iso, "Manual").includes("**A.7.1** Physical security perimeters"));
});

function find(report: string, title: string): string {
  return report.split(/^## /m).find((s) => s.startsWith(`${title} (`)) ?? "";
}

Deno.test("hardening.md marks a setting legacy when the docs last say it was removed from Security Center", () => {
  const base = HARDENING_SETTINGS.find((s) => s.key === "glide.ui.session_timeout")!;
  const row = (docStatus: string) =>
    renderHardeningReference([{ ...base, docStatus }], []).split("\n").find((l) =>
      l.includes('<a id="glide.ui.session_timeout"></a>')
    )!;
  assert.match(row("Updated in SC 1.3 and removed in 2.0"), /\| no longer listed: legacy \(/);
  assert.match(row("Updated in SC 1.3, removed in 2.0, added in 7.0"), /\| listed \(/);
  assert.match(row("New in SC 1.3"), /\| listed \(/);
});
