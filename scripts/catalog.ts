/**
 * `deno task catalog`: writes docs/checks.md from the check catalog.
 * `deno task catalog --json`: prints the catalog as JSON instead.
 * `deno task catalog --check`: exits 1 when docs/checks.md is stale.
 *
 * Refuses to write anything while the catalog breaks a metadata rule.
 *
 * @module
 */

import {
  catalogDocument,
  CHECKS,
  CHECKS_DOC_PATH,
  FRAMEWORKS,
  lintCatalog,
  renderChecksMarkdown,
} from "../shared/analysis/catalog/mod.ts";

const docPath = new URL(`../${CHECKS_DOC_PATH}`, import.meta.url);

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
  const markdown = renderChecksMarkdown(CHECKS, FRAMEWORKS);
  if (args.includes("--check")) {
    const current = await Deno.readTextFile(docPath).catch(() => "");
    if (current !== markdown) {
      // deno-lint-ignore no-console
      console.error(`${CHECKS_DOC_PATH} is stale: run \`deno task catalog\``);
      return 1;
    }
    return 0;
  }
  await Deno.writeTextFile(docPath, markdown);
  // deno-lint-ignore no-console
  console.log(`Wrote ${CHECKS_DOC_PATH}: ${CHECKS.length} checks, ${FRAMEWORKS.length} frameworks`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
