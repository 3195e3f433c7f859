/**
 * What each verdict is called and how it is coloured, in one place: badges,
 * counts and filters all read this map, so a new verdict is one line here.
 *
 * @module
 */
import type { BadgeTone } from "../../components/badge.tsx";

/** A verdict's label and badge colour. */
export interface VerdictStyle {
  label: string;
  tone: BadgeTone;
  /** The verdict in a filter ("Failing"). */
  filterLabel: string;
}

/** Every verdict the page shows, in display order. */
export const VERDICTS: Readonly<Record<string, VerdictStyle>> = {
  FAIL: { label: "Fail", tone: "danger", filterLabel: "Failing" },
  PASS: { label: "Pass", tone: "success", filterLabel: "Passing" },
  NOT_EVALUATED: { label: "Not evaluated", tone: "warning", filterLabel: "Not evaluated" },
  NOT_APPLICABLE: { label: "Not applicable", tone: "neutral", filterLabel: "Not applicable" },
  MUTED: { label: "Muted", tone: "neutral", filterLabel: "Muted" },
};

/**
 * The style of a verdict; an unknown one shows as itself, in neutral.
 *
 * @param verdict e.g. "FAIL"
 */
export function verdictStyle(verdict: string): VerdictStyle {
  return VERDICTS[verdict] ?? { label: verdict, tone: "neutral", filterLabel: verdict };
}
