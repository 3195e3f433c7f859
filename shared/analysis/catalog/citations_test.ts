import assert from "node:assert/strict";
import { CHECKS } from "./catalog.ts";
import {
  checkCitations,
  findCitations,
  headingSlug,
  markdownAnchors,
  REFERENCE_DIR,
} from "./citations.ts";

const ROOT = new URL("../../../", import.meta.url);

async function referencePages(): Promise<Map<string, Set<string>>> {
  const pages = new Map<string, Set<string>>();
  for await (const entry of Deno.readDir(new URL(`${REFERENCE_DIR}/`, ROOT))) {
    if (!entry.isFile || !entry.name.endsWith(".md")) continue;
    const text = await Deno.readTextFile(new URL(`${REFERENCE_DIR}/${entry.name}`, ROOT));
    pages.set(entry.name, markdownAnchors(text));
  }
  return pages;
}

function unresolved(pages: Map<string, Set<string>>, text: string): string[] {
  return findCitations(text).filter((c) =>
    !pages.has(c.file) || (c.anchor !== null && !pages.get(c.file)!.has(c.anchor))
  ).map((c) => `${REFERENCE_DIR}/${c.file}${c.anchor ? `#${c.anchor}` : ""}`);
}

Deno.test("every check cites sections of docs/servicenow that exist", async () => {
  const pages = await referencePages();
  const broken: string[] = [];
  for (const check of CHECKS) {
    const cites = checkCitations(check);
    if (check.controls.length > 0 || check.hardening) assert.ok(cites.length > 0, check.id);
    for (const c of unresolved(pages, cites.join(" "))) broken.push(`${check.id}: ${c}`);
  }
  assert.deepEqual(broken, [], "checks cite sections that do not exist");
});

Deno.test("every table a check reads is described in docs/servicenow/tables.md", async () => {
  const tables = await Deno.readTextFile(new URL(`${REFERENCE_DIR}/tables.md`, ROOT));
  const missing = [...new Set(CHECKS.flatMap((c) => c.tables.map((t) => t.table)))]
    .filter((t) => !tables.includes(`\`${t}\``) && !markdownAnchors(tables).has(t));
  assert.deepEqual(missing, []);
});

const SOURCE = /\.(ts|tsx|md|json|sql|yml|yaml)$/;

/** The repository's files (tracked and new, ignored ones left out). */
async function repositoryFiles(): Promise<string[]> {
  const output = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.equal(output.code, 0, "git ls-files failed");
  return new TextDecoder().decode(output.stdout).split("\n").filter((p) => SOURCE.test(p));
}

Deno.test("every citation of docs/servicenow in the repository resolves, and nothing cites the external brief", async () => {
  const pages = await referencePages();
  const broken: string[] = [];
  const external: string[] = [];
  for (const path of await repositoryFiles()) {
    const text = await Deno.readTextFile(new URL(path, ROOT)).catch(() => "");
    for (const c of unresolved(pages, text)) broken.push(`${path}: ${c}`);
    // Migrations are immutable once applied, so an old comment cannot be fixed there.
    if (path.startsWith("supabase/migrations/") || path.endsWith("citations_test.ts")) continue;
    if (/shared\/brief|(?<![\w/])(servicenow|platform)\.md/.test(text)) external.push(path);
  }
  assert.deepEqual(broken, [], "citations of sections that do not exist");
  assert.deepEqual(external, [], "files citing the external brief instead of docs/servicenow");
});

Deno.test("findCitations() and markdownAnchors() read citations and anchors as GitHub does", () => {
  assert.deepEqual(
    findCitations("see docs/servicenow/controls.md#a1. and docs/servicenow/api.md"),
    [{ file: "controls.md", anchor: "a1" }, { file: "api.md", anchor: null }],
  );
  assert.deepEqual(findCitations("docs/servicenow/hardening.md#glide.ui.session_timeout)"), [
    { file: "hardening.md", anchor: "glide.ui.session_timeout" },
  ]);
  assert.equal(headingSlug("Audit, logging and configuration"), "audit-logging-and-configuration");
  assert.equal(headingSlug("`sys_user`"), "sys_user");
  const anchors = markdownAnchors('# Title\n\n<a id="x.y"></a>\n\n```\n# not a heading\n```\n');
  assert.deepEqual([...anchors].sort(), ["title", "x.y"]);
});
