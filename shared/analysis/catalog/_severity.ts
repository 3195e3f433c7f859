import type { Severity } from "./types.ts";

/**
 * The severity band of a CVSS-style risk score: critical 9.0–10, high 7.0–8.9,
 * medium 4.0–6.9, low 0.1–3.9, informational 0 (docs/servicenow/hardening.md#model).
 *
 * @param riskScore 0–10
 * @returns the band
 */
export function severityOf(riskScore: number): Severity {
  if (riskScore >= 9) return "critical";
  if (riskScore >= 7) return "high";
  if (riskScore >= 4) return "medium";
  if (riskScore > 0) return "low";
  return "informational";
}
