/**
 * `deno task catalog`: writes the documents generated from the check catalog —
 * docs/checks.md and the hardening part of the ServiceNow domain reference
 * (docs/servicenow/hardening.md).
 * `deno task catalog --json`: prints the catalog as JSON instead.
 * `deno task catalog --check`: exits 1 when a generated document is stale.
 *
 * Refuses to write anything while the catalog breaks a metadata rule.
 *
 * @module
 */

import {
  catalogDocument,
  CHECKS,
  FRAMEWORKS,
  generatedDocuments,
  lintCatalog,
} from "../shared/analysis/catalog/mod.ts";

const root = new URL("../", import.meta.url);

async function main(args: readonly string[]): Promise<number> {
  const problems = lintCatalog(CHECKS, FRAMEWORKS);
  if (problems.length > 0) {
    // deno-lint-ignore no-console
    console.error(
      `Cannot generate the catalog: ${problems.length} metadata problem(s):\n${
        problems.join("\n")
      }`,
    );
    return 1;
  }
  if (args.includes("--json")) {
    // deno-lint-ignore no-console
    console.log(JSON.stringify(catalogDocument(CHECKS, FRAMEWORKS), null, 2));
    return 0;
  }
  const documents = generatedDocuments(CHECKS, FRAMEWORKS);
  if (args.includes("--check")) {
    let stale = 0;
    for (const [path, text] of documents) {
      const current = await Deno.readTextFile(new URL(path, root)).catch(() => "");
      if (current !== text) {
        // deno-lint-ignore no-console
        console.error(`${path} is stale: run \`deno task catalog\``);
        stale++;
      }
    }
    return stale > 0 ? 1 : 0;
  }
  for (const [path, text] of documents) {
    const url = new URL(path, root);
    await Deno.mkdir(new URL(".", url), { recursive: true });
    await Deno.writeTextFile(url, text);
  }
  // deno-lint-ignore no-console
  console.log(
    `Wrote ${documents.size} documents: ${CHECKS.length} checks, ${FRAMEWORKS.length} frameworks`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
