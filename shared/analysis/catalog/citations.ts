/**
 * Citations of the ServiceNow domain reference (docs/servicenow/*.md): where each
 * check's rule comes from, how citations are written in code and docs, and the
 * anchors a reference page defines — so a test can prove that every citation
 * resolves.
 *
 * A citation is `docs/servicenow/<file>.md` optionally followed by `#<anchor>`,
 * e.g. `docs/servicenow/controls.md#a1` or
 * `docs/servicenow/hardening.md#glide.ui.session_timeout`.
 *
 * @module
 */

import { hardeningAnchor } from "./reference.ts";
import type { Check } from "./types.ts";

/** The directory of the domain reference, relative to the repository root. */
export const REFERENCE_DIR = "docs/servicenow";

/** Matches a citation; group 1 is the file, group 2 the anchor (if any). */
export const CITATION_PATTERN: RegExp =
  /docs\/servicenow\/([a-z0-9_]+\.md)(?:#([A-Za-z0-9._-]+))?/g;

/** One citation of the domain reference. */
export interface Citation {
  /** File name inside docs/servicenow, e.g. `controls.md`. */
  readonly file: string;
  /** Anchor inside it, or null for the whole page. */
  readonly anchor: string | null;
}

/**
 * Every citation in a text.
 *
 * @param text source code or markdown
 * @returns the citations, in order of appearance
 */
export function findCitations(text: string): Citation[] {
  return [...text.matchAll(CITATION_PATTERN)].map((m) => ({
    file: m[1]!,
    anchor: m[2]?.replace(/[.]+$/, "") || null,
  }));
}

/**
 * The section of the domain reference each part of a check's rule comes from:
 * its control tests (controls.md) and, for a hardening setting, the setting's row
 * in hardening.md.
 *
 * @param check a catalog check
 * @returns the citations, e.g. `docs/servicenow/controls.md#a1`
 */
export function checkCitations(check: Check): string[] {
  const cites = check.controls.map((c) => `${REFERENCE_DIR}/controls.md#${c.toLowerCase()}`);
  if (check.hardening) {
    cites.push(`${REFERENCE_DIR}/hardening.md#${hardeningAnchor(check.hardening.key)}`);
  }
  return cites;
}

/**
 * GitHub's anchor for a heading: lowercased, punctuation other than `-` and `_`
 * dropped, spaces turned into `-`.
 *
 * @param heading the heading text (without the leading `#`s)
 * @returns the anchor
 */
export function headingSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/**
 * The anchors a markdown page defines: explicit `<a id="…">` anchors and the
 * anchors of its headings.
 *
 * @param markdown the page
 * @returns the anchors
 */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(m[1]!);
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(headingSlug(heading[1]!));
  }
  return anchors;
}
