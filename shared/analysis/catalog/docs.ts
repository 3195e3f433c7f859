/**
 * The catalog as documentation (docs/checks.md) and as JSON, both generated from
 * the catalog itself and deterministic (no timestamps), so a test can tell when
 * the committed file is stale.
 *
 * @module
 */

import { checkCitations } from "./citations.ts";
import { coverageDocuments } from "./coverage_docs.ts";
import { coverageCounts } from "./frameworks.ts";
import { HARDENING_SETTINGS, SKIPPED_HARDENING_SETTINGS } from "./hardening.ts";
import { HARDENING_DOC_PATH, renderHardeningReference } from "./reference.ts";
import { describeItem } from "./hardening_checks.ts";
import { AREA_TITLES, AREAS, type Check, type Framework, type ParameterSpec } from "./types.ts";

/** Where the generated documentation lives, relative to the repository root. */
export const CHECKS_DOC_PATH = "docs/checks.md";

function parameterText(p: ParameterSpec): string {
  switch (p.kind) {
    case "integer":
      return p.orgSetting
        ? `\`${p.name}\` (${p.kind}, default: the organization setting \`${p.orgSetting}\`, else ${p.default}; ${p.min}–${p.max}; a per-check override wins): ${p.description}`
        : `\`${p.name}\` (${p.kind}, default ${p.default}, ${p.min}–${p.max}): ${p.description}`;
    case "number":
      return `\`${p.name}\` (${p.kind}, default ${p.default}, ${p.min}–${p.max}): ${p.description}`;
    case "string_list":
      return `\`${p.name}\` (list of ${p.minItems}–${p.maxItems}, default ${
        p.default.map((v) => `\`${v}\``).join(", ") || "empty"
      }): ${p.description}`;
    case "role_pairs":
      return `\`${p.name}\` (role pairs, ${p.minItems}–${p.maxItems}, default ${
        p.default.map(([a, b]) => `\`${a}\`+\`${b}\``).join(", ")
      }): ${p.description}`;
    case "pattern":
      return `\`${p.name}\` (regular expression, default \`${p.default}\`): ${p.description}`;
  }
}

/** Keeps generated text inert in markdown (no stray emphasis, tags or line breaks). */
function escapeText(text: string): string {
  return text.replaceAll("\n", " ").replaceAll("<", "&lt;").replaceAll("*", "\\*");
}

function anchor(id: string): string {
  return id.replaceAll("_", "-");
}

function renderCheck(check: Check, frameworks: readonly Framework[], heading: string): string[] {
  const names = new Map(frameworks.map((f) => [f.id, f.name]));
  const lines: string[] = [];
  lines.push(`${heading} \`${check.id}\``, "");
  lines.push(`**${escapeText(check.title)}**`, "");
  const meta: string[] = [];
  meta.push(`Severity: ${check.severity} (risk ${check.riskScore.toFixed(1)})`);
  meta.push(`Resource: \`${check.resourceType}\``);
  if (check.controls.length > 0) meta.push(`Control tests: ${check.controls.join(", ")}`);
  if (check.hardening) {
    const h = check.hardening;
    meta.push(`Category: ${h.category}`);
    meta.push(
      `Security Center risk: ${h.risk === null ? "none given" : h.risk.toFixed(1)}${
        h.source === "curated" ? " (not scored)" : ""
      }`,
    );
    if (h.row !== null) {
      meta.push(`Security Center row: ${h.row}${h.docStatus ? ` (${h.docStatus})` : ""}`);
    }
    meta.push(`Recommended (docs): ${h.recommended}`);
    meta.push(`Rule: ${h.items.map(describeItem).join("; and ")}`);
    if (h.note) meta.push(`Interpretation: ${h.note}`);
  }
  const reads = check.tables.map((t) => {
    const only = t.rows
      ? `, only records whose ${t.rows.field} is ${
        [
          ...(t.rows.values ?? []),
          ...(t.rows.parameter ? [`a value of parameter ${t.rows.parameter}`] : []),
        ].join(" or ")
      }`
      : "";
    return `\`${t.table}\` (${t.fields.join(", ")}${only})`;
  }).join("; ");
  meta.push(`Reads: ${reads || "nothing (manual review)"}`);
  for (const p of check.parameters) meta.push(`Parameter ${parameterText(p)}`);
  const byFramework = new Map<string, string[]>();
  for (const m of check.frameworks) {
    byFramework.set(m.framework, [...(byFramework.get(m.framework) ?? []), m.requirement]);
  }
  for (const [f, reqs] of byFramework) meta.push(`${names.get(f) ?? f}: ${reqs.join(", ")}`);
  for (const item of meta) lines.push(`- ${escapeText(item)}`);
  const sources = checkCitations(check).map((c) =>
    `[${c.slice(c.indexOf("#") + 1)}](${c.replace("docs/", "")})`
  );
  if (sources.length > 0) lines.push(`- Domain reference: ${sources.join(", ")}`);
  lines.push("");
  lines.push(escapeText(check.description), "");
  lines.push(`_Risk:_ ${escapeText(check.risk)}`, "");
  lines.push(`_Remediation:_ ${escapeText(check.remediation.summary)}`, "");
  check.remediation.steps.forEach((s, i) => lines.push(`${i + 1}. ${escapeText(s)}`));
  lines.push("");
  for (const code of check.remediation.code) {
    lines.push(
      "<details><summary>Background script</summary>",
      "",
      "```js",
      code.code,
      "```",
      "",
      "</details>",
      "",
    );
  }
  if (check.references.length > 0) {
    lines.push(
      `References: ${check.references.map((r) => `[${r.title}](${r.url})`).join(" · ")}`,
      "",
    );
  }
  return lines;
}

/**
 * Renders docs/checks.md: a summary, every check with its metadata and framework
 * mappings grouped by area (hardening settings by Security Center category), and
 * each framework's requirements.
 *
 * @param checks the catalog's checks
 * @param frameworks the resolved frameworks
 * @returns the markdown text
 */
export function renderChecksMarkdown(
  checks: readonly Check[],
  frameworks: readonly Framework[],
): string {
  const lines: string[] = [];
  const behavioural = checks.filter((c) => c.family === "behavioural");
  const hardening = checks.filter((c) => c.family === "hardening");
  lines.push("<!-- deno-fmt-ignore-file -->", "", "# Check catalog", "");
  lines.push(
    "<!-- Generated by `deno task catalog` from shared/analysis/catalog. Do not edit by hand. -->",
    "",
  );
  lines.push(
    `${checks.length} checks: ${behavioural.length} behavioural checks over the synced records and ` +
      `${hardening.length} hardening settings ([docs/servicenow/hardening.md](servicenow/hardening.md), judged together by one statement). ` +
      `Each check maps to requirements of ${frameworks.length} frameworks; a finding counts towards all of them.`,
    "",
  );
  for (const area of AREAS) {
    const n = checks.filter((c) => c.area === area).length;
    if (n > 0) lines.push(`- [${AREA_TITLES[area]}](#${anchor(area)}): ${n}`);
  }
  lines.push(`- [Frameworks](#frameworks)`);
  lines.push("");
  lines.push(
    "Statuses: a check PASSes, FAILs, or is NOT_EVALUATED when a table it reads was not readable by the " +
      "integration user (never a PASS). Hardening settings: effective value = the sys_properties record's value, " +
      "else the fallback, else the default; no value at all is non-compliant. The hardening score is " +
      "Σ risk of compliant settings ÷ Σ risk of all settings × 100, rounded up.",
    "",
  );
  for (const area of AREAS) {
    const inArea = checks.filter((c) => c.area === area);
    if (inArea.length === 0) continue;
    lines.push(`<a id="${anchor(area)}"></a>`, "", `## ${AREA_TITLES[area]}`, "");
    if (area === "hardening") {
      const categories = [...new Set(inArea.map((c) => c.hardening!.category))].sort();
      for (const category of categories) {
        lines.push(`### ${category}`, "");
        for (const c of inArea.filter((x) => x.hardening!.category === category)) {
          lines.push(...renderCheck(c, frameworks, "####"));
        }
      }
      if (SKIPPED_HARDENING_SETTINGS.length > 0) {
        lines.push("### Settings Security Center no longer lists", "");
        for (const s of SKIPPED_HARDENING_SETTINGS) {
          lines.push(`- Row ${s.row}, \`${s.configuration}\`: ${escapeText(s.reason)}`);
        }
        lines.push("");
      }
    } else {
      for (const c of inArea) lines.push(...renderCheck(c, frameworks, "###"));
    }
  }
  lines.push(`<a id="frameworks"></a>`, "", "## Frameworks", "");
  const hardeningIds = new Set(hardening.map((c) => c.id));
  for (const f of frameworks) {
    const counts = coverageCounts(f.requirements);
    lines.push(
      `### ${f.name}`,
      "",
      `${f.description} Version ${f.version}. Source: <${f.url}>`,
      "",
      `${counts.total} requirements: ${counts.covered} covered, ${counts.partial} partially covered, ` +
        `${counts.not_covered} not covered, ${counts.manual} manual ` +
        `([coverage report](frameworks/${f.id}.md)). Requirements with checks:`,
      "",
    );
    for (const r of f.requirements.filter((x) => x.checks.length > 0)) {
      const own = r.checks.filter((id) => !hardeningIds.has(id)).map((id) => `\`${id}\``);
      const settings = r.checks.filter((id) => hardeningIds.has(id)).length;
      const parts = [
        ...own,
        ...(settings > 0 ? [`${settings} hardening setting${settings === 1 ? "" : "s"}`] : []),
      ];
      lines.push(`- **${r.id}** ${escapeText(r.name)}: ${parts.join(", ")}`);
    }
    lines.push("");
  }
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/**
 * The catalog as one JSON document: every check (metadata, parameters, tables,
 * evaluator, framework mappings), the frameworks, and the left-out settings.
 *
 * @param checks the catalog's checks
 * @param frameworks the resolved frameworks
 * @returns a JSON-serializable object
 */
export function catalogDocument(
  checks: readonly Check[],
  frameworks: readonly Framework[],
): {
  checks: readonly Check[];
  frameworks: readonly Framework[];
  skippedHardeningSettings: readonly unknown[];
} {
  return { checks, frameworks, skippedHardeningSettings: SKIPPED_HARDENING_SETTINGS };
}

/**
 * Every document `deno task catalog` writes, by path relative to the repository
 * root: docs/checks.md, docs/servicenow/hardening.md and the framework coverage
 * reports (docs/frameworks/).
 *
 * @param checks the catalog's checks
 * @param frameworks the resolved frameworks
 * @returns path → content
 */
export function generatedDocuments(
  checks: readonly Check[],
  frameworks: readonly Framework[],
): Map<string, string> {
  return new Map([
    [CHECKS_DOC_PATH, renderChecksMarkdown(checks, frameworks)],
    [HARDENING_DOC_PATH, renderHardeningReference(HARDENING_SETTINGS, SKIPPED_HARDENING_SETTINGS)],
    ...coverageDocuments(frameworks, checks),
  ]);
}
