/**
 * The catalog version a run records: a digest of everything that decides a
 * verdict (ids, evaluators, parameters, hardening items, severities, risk
 * scores), so two runs with the same version judged by the same rules.
 *
 * @module
 */

import { CHECKS } from "../catalog/mod.ts";

let cached: Promise<string> | null = null;

/**
 * The version of the built-in catalog, e.g. `c-3f9a1b2c4d5e`.
 *
 * @returns 12 hex digits of a SHA-256 over the catalog's rules, prefixed `c-`
 */
export function catalogVersion(): Promise<string> {
  cached ??= (async () => {
    const material = JSON.stringify(CHECKS.map((c) => [
      c.id,
      c.severity,
      c.riskScore,
      c.evaluator,
      c.parameters,
      c.hardening?.items ?? null,
      c.hardening?.risk ?? null,
      c.hardening?.source ?? null,
    ]));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `c-${hex.slice(0, 12)}`;
  })();
  return cached;
}
