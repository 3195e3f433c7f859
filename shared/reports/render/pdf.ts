/**
 * PDF of a report with `pdf-lib`: a cover (organization name and logo, scope,
 * who generated it when, catalog version), a table of contents with page
 * numbers, one part per chosen section, score charts, tables that continue
 * across pages under a repeated header, and a header and footer with the
 * organization, the date and "Page n of N" on every page after the cover.
 *
 * @module
 */

import { PDFDocument, type PDFImage, rgb } from "pdf-lib";
import { FRAMEWORKS } from "../../analysis/catalog/mod.ts";
import {
  type ReportContent,
  type ReportFinding,
  type ReportSection,
  SECTION_TITLES,
} from "../model.ts";
import {
  COLORS,
  CONTENT_WIDTH,
  embedFonts,
  Layout,
  MARGIN,
  PAGE,
  SEVERITY_COLORS,
} from "./pdf_layout.ts";
import type { ByteSink } from "./sink.ts";
import { coverFacts, formatReportDate } from "../preview.ts";

/** An organization's branding of its reports (Settings → Reports). */
export interface ReportBranding {
  /** The organization's logo, PNG or JPEG, shown on the cover and in headers. */
  logo?: Uint8Array;
  /** Leaves "ComplianceIQ" out of the document (white label). */
  whiteLabel?: boolean;
}

/** Options of {@linkcode renderPdf}. */
export interface PdfOptions extends ReportBranding {
  /** Called every 1000 findings with the findings read so far. */
  onProgress?: (rows: number) => Promise<void> | void;
  /**
   * Findings listed one by one (default {@linkcode PDF_MAX_FINDINGS}). Past it
   * every check still gets its heading and remediation with a count of its
   * findings not listed, and the PDF says the workbook and the CSV list them
   * all: pdf-lib holds the whole document until it is saved, so capping the
   * rows is what keeps memory flat in the number of findings.
   */
  maxFindings?: number;
}

/** Findings a PDF lists one by one unless told otherwise. */
export const PDF_MAX_FINDINGS = 2000;

const VERDICT_COLORS: Record<string, ReturnType<typeof rgb>> = {
  PASS: COLORS.pass,
  FAIL: COLORS.fail,
  NOT_EVALUATED: COLORS.neutral,
  NOT_APPLICABLE: COLORS.neutral,
  MANUAL: COLORS.accent,
  NOT_COVERED: COLORS.accent,
  MUTED: COLORS.neutral,
};

/**
 * Renders the report as a PDF and writes it to `sink`.
 *
 * @param content the report
 * @param sink where the bytes go
 * @param options logo, white label and progress
 * @returns the number of findings listed
 */
export async function renderPdf(
  content: ReportContent,
  sink: ByteSink,
  options: PdfOptions = {},
): Promise<number> {
  const { meta } = content;
  const doc = await PDFDocument.create();
  doc.setTitle(`${meta.title} — ${meta.organization.name}`);
  doc.setAuthor(options.whiteLabel ? meta.organization.name : "ComplianceIQ");
  doc.setSubject(`${meta.instance.name}, run ${meta.run.id}`);
  doc.setCreationDate(meta.generated_at);
  doc.setModificationDate(meta.generated_at);
  doc.setProducer(options.whiteLabel ? meta.organization.name : "ComplianceIQ");
  const layout = new Layout(doc, await embedFonts(doc));
  const logo = options.logo ? await embedLogo(doc, options.logo) : null;

  drawCover(layout, content, logo);
  const tocPage = layout.newPage();
  const starts: { section: ReportSection; page: number }[] = [];
  let findings = 0;
  for (const section of meta.sections) {
    layout.newPage();
    starts.push({ section, page: doc.getPageCount() });
    layout.heading(SECTION_TITLES[section]);
    if (section === "summary") drawSummary(layout, content);
    if (section === "attestation") drawAttestation(layout, content);
    if (section === "findings") findings = await drawFindings(layout, content, options);
    if (section === "changes") drawChanges(layout, content);
    if (section === "suppressions") drawSuppressions(layout, content);
    if (section === "coverage") drawCoverage(layout, content);
  }
  layout.page = tocPage;
  layout.y = PAGE.height - MARGIN.top;
  layout.heading("Contents");
  for (const { section, page } of starts) {
    const title = SECTION_TITLES[section];
    const number = String(page);
    const right = PAGE.width - MARGIN.x;
    layout.text(title, MARGIN.x, layout.y - 11, { size: 11 });
    const from = MARGIN.x + layout.width(title, 11) + 6;
    const to = right - layout.width(number, 11) - 6;
    const dots = ".".repeat(Math.max(0, Math.floor((to - from) / layout.width(".", 11))));
    layout.text(dots, from, layout.y - 11, { size: 11, color: COLORS.muted });
    layout.text(number, right - layout.width(number, 11), layout.y - 11, { size: 11 });
    layout.y -= 22;
  }
  drawFurniture(layout, content, logo, options.whiteLabel ?? false);
  await sink.write(await doc.save({ useObjectStreams: true }));
  return findings;
}

async function embedLogo(doc: PDFDocument, bytes: Uint8Array): Promise<PDFImage | null> {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50;
  const jpg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (png) return await doc.embedPng(bytes);
  if (jpg) return await doc.embedJpg(bytes);
  return null;
}

function drawCover(layout: Layout, content: ReportContent, logo: PDFImage | null): void {
  const { meta } = content;
  const page = layout.newPage();
  page.drawRectangle({
    x: 0,
    y: PAGE.height - 260,
    width: PAGE.width,
    height: 260,
    color: COLORS.headerFill,
  });
  let top = PAGE.height - 70;
  if (logo) {
    const scale = Math.min(160 / logo.width, 60 / logo.height, 1);
    page.drawImage(logo, {
      x: MARGIN.x,
      y: top - logo.height * scale + 20,
      width: logo.width * scale,
      height: logo.height * scale,
    });
    top -= 70;
  }
  layout.text(meta.organization.name, MARGIN.x, top, { size: 14, color: rgb(0.8, 0.85, 0.9) });
  const titleLines = layout.wrap(meta.title, 26, CONTENT_WIDTH, 2, true);
  titleLines.forEach((line, i) =>
    layout.text(line, MARGIN.x, top - 40 - i * 32, { size: 26, bold: true, color: rgb(1, 1, 1) })
  );
  layout.y = PAGE.height - 300;
  layout.pairs(coverFacts(content).map((f) => [f.label, f.value]));
  if (content.summary) {
    const overall = content.summary.scores.overall.score;
    layout.y -= 20;
    layout.text("Overall score", MARGIN.x, layout.y - 12, { size: 12, color: COLORS.muted });
    layout.text(overall === null ? "n/a" : `${overall} / 100`, MARGIN.x, layout.y - 52, {
      size: 36,
      bold: true,
    });
  }
}

function drawFurniture(
  layout: Layout,
  content: ReportContent,
  logo: PDFImage | null,
  whiteLabel: boolean,
): void {
  const pages = layout.doc.getPages();
  const { meta } = content;
  const date = meta.generated_at.toISOString().slice(0, 10);
  pages.forEach((page, i) => {
    if (i === 0) return;
    layout.page = page;
    let x = MARGIN.x;
    if (logo) {
      const scale = Math.min(60 / logo.width, 18 / logo.height, 1);
      page.drawImage(logo, {
        x,
        y: PAGE.height - 46,
        width: logo.width * scale,
        height: logo.height * scale,
      });
      x += logo.width * scale + 8;
    }
    const head = layout.wrap(`${meta.organization.name} · ${meta.title}`, 8, 360, 1)[0]!;
    layout.text(head, x, PAGE.height - 40, { size: 8, color: COLORS.muted });
    layout.text(date, PAGE.width - MARGIN.x - layout.width(date, 8), PAGE.height - 40, {
      size: 8,
      color: COLORS.muted,
    });
    page.drawLine({
      start: { x: MARGIN.x, y: PAGE.height - 50 },
      end: { x: PAGE.width - MARGIN.x, y: PAGE.height - 50 },
      thickness: 0.5,
      color: COLORS.rule,
    });
    page.drawLine({
      start: { x: MARGIN.x, y: 44 },
      end: { x: PAGE.width - MARGIN.x, y: 44 },
      thickness: 0.5,
      color: COLORS.rule,
    });
    const left = `${
      whiteLabel ? "" : "ComplianceIQ · "
    }catalog ${meta.catalog_version} · ${meta.instance.name}`;
    layout.text(left, MARGIN.x, 30, { size: 8, color: COLORS.muted });
    const number = `Page ${i + 1} of ${pages.length}`;
    layout.text(number, PAGE.width - MARGIN.x - layout.width(number, 8), 30, {
      size: 8,
      color: COLORS.muted,
    });
  });
}

function drawSummary(layout: Layout, content: ReportContent): void {
  const summary = content.summary!;
  const { scores } = summary;
  const f = summary.summary.findings;
  layout.paragraph(
    `${content.meta.instance.name} scores ${scores.overall.score ?? "n/a"} overall: ` +
      `${scores.overall.passed} checks pass, ${scores.overall.failed} fail and ` +
      `${scores.overall.not_evaluated} could not be evaluated. The run found ${f.failing} failing ` +
      `resources, ${f.muted} of them muted by a suppression.`,
  );
  layout.heading("Scores", 2);
  layout.barChart([
    { label: "Overall", value: scores.overall.score },
    { label: "Hardening", value: scores.hardening.score },
    { label: "Security Center (ServiceNow)", value: scores.security_center.score },
    { label: "Behavioural", value: scores.behavioural.score },
    ...Object.entries(scores.areas).map(([id, s]) => ({ label: `Area: ${id}`, value: s.score })),
  ]);
  if (Object.keys(scores.frameworks).length) {
    layout.heading("Framework scores", 2);
    layout.barChart(
      Object.entries(scores.frameworks).map(([id, s]) => ({
        label: FRAMEWORKS.find((f) => f.id === id)?.name ?? id,
        value: s.score,
      })),
    );
  }
  layout.heading("Open findings by severity", 2);
  const row = layout.table([{ header: "Severity", width: 0.5, color: (v) => SEVERITY_COLORS[v] }, {
    header: "Failing resources (unmuted)",
    width: 0.5,
  }]);
  for (const severity of ["critical", "high", "medium", "low", "informational"]) {
    row([severity, String(f.by_severity[severity] ?? 0)]);
  }
  layout.gap();
  if (summary.trend.length > 1) {
    layout.ensure(200);
    layout.heading("Overall score trend", 2);
    layout.lineChart(summary.trend.map((p) => ({
      label: new Date(p.evaluated_at).toISOString().slice(5, 10),
      value: p.overall,
    })));
  }
}

function drawAttestation(layout: Layout, content: ReportContent): void {
  for (const framework of content.attestation ?? []) {
    layout.heading(`${framework.name} ${framework.version} — score ${framework.score ?? "n/a"}`, 2);
    const manual = framework.requirements.filter((r) => r.status === "MANUAL").length;
    const uncovered = framework.requirements.filter((r) => r.status === "NOT_COVERED").length;
    layout.paragraph(
      `${framework.requirements.length} requirements; ${manual} are MANUAL (attested by ` +
        `people) and ${uncovered} are NOT_COVERED (no check of ours serves them).`,
      { size: 9, color: COLORS.muted },
    );
    const row = layout.table([
      { header: "Requirement", width: 0.24 },
      { header: "Verdict", width: 0.13, color: (v) => VERDICT_COLORS[v] },
      { header: "Checks", width: 0.3 },
      { header: "Evidence", width: 0.33 },
    ]);
    for (const r of framework.requirements) {
      row([
        `${r.id} ${r.name}`,
        r.status,
        r.checks.map((c) => `${c.check_id} (${c.effective})`).join(", ") || "—",
        r.evidence_summary.join("; ") || (r.status === "PASS" ? "All checks pass" : "—"),
      ]);
    }
    layout.gap();
  }
}

async function drawFindings(
  layout: Layout,
  content: ReportContent,
  options: PdfOptions,
): Promise<number> {
  let severity = "";
  let check = "";
  let addRow: ((cells: string[]) => void) | null = null;
  let count = 0;
  const max = options.maxFindings ?? PDF_MAX_FINDINGS;
  // Findings of the current check past the cap, said once the check ends.
  let omitted = 0;
  const flushOmitted = () => {
    if (omitted === 0) return;
    layout.paragraph(
      `${omitted.toLocaleString("en-US")} more finding${omitted === 1 ? "" : "s"} of this check ` +
        "not listed here: see the workbook or the CSV.",
      { size: 9, color: COLORS.muted },
    );
    omitted = 0;
  };
  const capNote = (total: string) =>
    `This PDF lists the first ${max.toLocaleString("en-US")} findings${total}, most severe ` +
    "first; past them each check shows its remediation and how many findings are not listed. " +
    "The Excel workbook and the CSV export of this report list every finding.";
  if (content.expected_findings > max) {
    layout.paragraph(capNote(` of ${content.expected_findings.toLocaleString("en-US")}`), {
      bold: true,
    });
  }
  for await (const f of content.findings()) {
    count++;
    if (count % 1000 === 0) await options.onProgress?.(count);
    if (count === max + 1 && content.expected_findings <= max) {
      layout.paragraph(capNote(""), { bold: true });
    }
    if (count > max) {
      if (f.check_id !== check) {
        flushOmitted();
        check = f.check_id;
        if (f.severity !== severity) {
          severity = f.severity;
          layout.heading(`${severity[0]!.toUpperCase()}${severity.slice(1)} severity`, 2);
        }
        drawCheckHeading(layout, f);
      }
      omitted++;
      continue;
    }
    if (f.severity !== severity) {
      severity = f.severity;
      check = "";
      layout.gap(6);
      layout.heading(`${severity[0]!.toUpperCase()}${severity.slice(1)} severity`, 2);
    }
    if (f.check_id !== check) {
      check = f.check_id;
      drawCheckHeading(layout, f);
      addRow = layout.table([
        { header: "Resource", width: 0.3 },
        { header: "Status", width: 0.14, color: (v) => VERDICT_COLORS[v] },
        { header: "Change / triage", width: 0.18 },
        { header: "Evidence", width: 0.38 },
      ], { maxLines: 4 });
    }
    addRow!([
      f.resource_key,
      f.status,
      `${f.delta ?? "—"} / ${f.triage_state}${f.muted ? " (muted)" : ""}`,
      Object.entries(f.evidence ?? {}).slice(0, 4).map(([k, v]) =>
        `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`
      ).join("; "),
    ]);
  }
  flushOmitted();
  if (count === 0) layout.paragraph("No findings match the report's filters.");
  return count;
}

function drawCheckHeading(layout: Layout, f: ReportFinding): void {
  layout.gap(4);
  layout.ensure(96);
  layout.paragraph(`${f.check_title} (${f.check_id})`, { bold: true, size: 10 });
  if (f.remediation) {
    layout.paragraph(`Remediation: ${f.remediation}`, { size: 8.5, color: COLORS.muted });
  }
}

function drawChanges(layout: Layout, content: ReportContent): void {
  const changes = content.changes!;
  if (!changes.previous_run_id) {
    layout.paragraph("This is the first run of the instance: there is nothing to compare with.");
    return;
  }
  layout.paragraph(`Compared with run ${changes.previous_run_id}.`);
  const row = layout.table([{ header: "Change", width: 0.5 }, { header: "Findings", width: 0.5 }]);
  for (const delta of ["new", "reopened", "resolved", "unchanged"]) {
    row([delta, String(changes.by_delta[delta] ?? 0)]);
  }
  layout.gap();
  const overall = changes.explanation?.scores.overall;
  if (overall) {
    layout.heading("What moved the overall score", 2);
    layout.paragraph(
      `From ${overall.from ?? "n/a"} to ${overall.to ?? "n/a"} (${
        overall.delta === null ? "n/a" : overall.delta >= 0 ? `+${overall.delta}` : overall.delta
      }).`,
    );
    const movers = layout.table([
      { header: "Check", width: 0.5 },
      { header: "Verdict", width: 0.3 },
      { header: "Points", width: 0.2 },
    ]);
    for (const m of overall.movers) {
      movers([`${m.title} (${m.check_id})`, `${m.from ?? "—"} → ${m.to ?? "—"}`, String(m.impact)]);
    }
    if (overall.movers.length === 0) movers(["No check changed its verdict", "", ""]);
    layout.gap();
  }
}

function drawSuppressions(layout: Layout, content: ReportContent): void {
  const list = content.suppressions ?? [];
  if (list.length === 0) {
    layout.paragraph("No finding or check is suppressed, and no risk has been accepted.");
    return;
  }
  const row = layout.table([
    { header: "What", width: 0.26 },
    { header: "Reason", width: 0.3 },
    { header: "Owner", width: 0.18 },
    { header: "Expires", width: 0.13 },
    { header: "State", width: 0.13 },
  ]);
  for (const s of list) {
    row([
      `${s.scope.replace("_", " ")}: ${s.check_id}${s.finding_id ? ` / ${s.finding_id}` : ""}`,
      s.reason,
      s.owner_email ?? "—",
      s.expires_at ? formatReportDate(s.expires_at).slice(0, 10) : "never",
      s.active ? "in force" : s.revoked_at ? "revoked" : "expired",
    ]);
  }
  layout.gap();
}

function drawCoverage(layout: Layout, content: ReportContent): void {
  const rows = content.coverage ?? [];
  const count = (s: string) => rows.filter((r) => r.state === s).length;
  layout.paragraph(
    `${rows.length} tables: ${count("read")} read, ${count("denied")} denied to the integration ` +
      `user, ${count("not_applicable")} not present on the instance.`,
  );
  const row = layout.table([
    { header: "Table", width: 0.3 },
    {
      header: "State",
      width: 0.15,
      color: (v) => v === "denied" ? COLORS.fail : v === "read" ? COLORS.pass : COLORS.neutral,
    },
    { header: "Records", width: 0.12 },
    { header: "Last error", width: 0.43 },
  ]);
  for (const r of rows) {
    row([r.table_name, r.state, r.record_count.toLocaleString("en-US"), r.last_error ?? ""]);
  }
  layout.gap();
}
