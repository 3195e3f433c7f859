/**
 * Compliance frameworks as data (frameworks/*.json, shaped like Prowler's
 * compliance files): requirements, each listing the checks that serve it, so one
 * finding counts towards every framework that maps its check.
 *
 * A requirement names checks explicitly (`checks`), by the control tests
 * of docs/servicenow/controls.md they implement (`controls`), by hardening category
 * (`hardeningCategories`) or by hardening setting key (`hardeningSettings`);
 * {@link resolveFrameworks} turns all of them into check ids.
 *
 * @module
 */

import { z } from "zod";
import cis from "./frameworks/cis_controls_v8_1.json" with { type: "json" };
import iso from "./frameworks/iso_27001_2022.json" with { type: "json" };
import nistCsf from "./frameworks/nist_csf_2_0.json" with { type: "json" };
import nist from "./frameworks/nist_800_53_r5.json" with { type: "json" };
import pci from "./frameworks/pci_dss_4_0.json" with { type: "json" };
import soc2 from "./frameworks/soc2_2017.json" with { type: "json" };
import sox from "./frameworks/sox_itgc.json" with { type: "json" };
import {
  type Check,
  CONTROL_IDS,
  type Framework,
  type FrameworkRequirement,
  REQUIREMENT_COVERAGES,
  REQUIREMENT_TYPES,
  type RequirementCoverage,
  type RequirementType,
} from "./types.ts";

const requirementSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  section: z.string().min(1),
  type: z.enum(REQUIREMENT_TYPES),
  checks: z.array(z.string()).default([]),
  controls: z.array(z.enum(CONTROL_IDS)).default([]),
  hardeningCategories: z.array(z.string()).default([]),
  hardeningSettings: z.array(z.string()).default([]),
});

const frameworkSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string().min(1),
  url: z.string().url(),
  requirements: z.array(requirementSchema).min(1),
});

/** A framework file as written, before its selectors are resolved. */
export type FrameworkSource = z.infer<typeof frameworkSchema>;

/** The framework files, in the order the documentation lists them. */
export const FRAMEWORK_SOURCES: readonly FrameworkSource[] = [
  sox,
  soc2,
  iso,
  nist,
  nistCsf,
  pci,
  cis,
].map((f) => frameworkSchema.parse(f));

/**
 * Resolves the framework files against a list of checks.
 *
 * @param checks the catalog's checks
 * @param sources the framework files (defaults to the built-in ones)
 * @returns each framework with every requirement's check ids, in catalog order;
 *   explicitly named ids are kept even when unknown, so a lint can report them
 */
export function resolveFrameworks(
  checks: readonly Check[],
  sources: readonly FrameworkSource[] = FRAMEWORK_SOURCES,
): Framework[] {
  const order = new Map(checks.map((c, i) => [c.id, i]));
  return sources.map((source) => ({
    id: source.id,
    name: source.name,
    version: source.version,
    description: source.description,
    url: source.url,
    requirements: source.requirements.map((r): FrameworkRequirement => {
      const ids = new Set<string>(r.checks);
      for (const c of checks) {
        if (c.controls.some((id) => r.controls.includes(id))) ids.add(c.id);
        if (c.hardening && r.hardeningCategories.includes(c.hardening.category)) ids.add(c.id);
        if (c.hardening && r.hardeningSettings.includes(c.hardening.key)) ids.add(c.id);
      }
      const sorted = [...ids].sort((a, b) =>
        (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b)
      );
      return {
        id: r.id,
        name: r.name,
        section: r.section,
        type: r.type,
        coverage: requirementCoverage(r.type, sorted.length),
        checks: sorted,
      };
    }),
  }));
}

/**
 * What ComplianceIQ covers of a requirement, from its type and the number of
 * checks (built-in or custom) that serve it.
 *
 * @param type how the requirement can be assessed
 * @param checks how many checks serve it
 * @returns `covered`, `partial`, `manual` or `not_covered`
 */
export function requirementCoverage(type: RequirementType, checks: number): RequirementCoverage {
  if (checks === 0) return type === "manual" ? "manual" : "not_covered";
  return type === "automated" ? "covered" : "partial";
}

/** How many requirements of a framework fall into each coverage class. */
export type CoverageCounts = Record<RequirementCoverage, number> & { total: number };

/**
 * Counts a framework's requirements by coverage.
 *
 * @param requirements the framework's resolved requirements
 * @returns the counts, every class present (zero when empty)
 */
export function coverageCounts(
  requirements: readonly Pick<FrameworkRequirement, "coverage">[],
): CoverageCounts {
  const counts = Object.fromEntries(REQUIREMENT_COVERAGES.map((c) => [c, 0])) as CoverageCounts;
  for (const r of requirements) counts[r.coverage]++;
  counts.total = requirements.length;
  return counts;
}
