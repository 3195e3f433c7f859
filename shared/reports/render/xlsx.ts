/**
 * Excel workbook of a report with `exceljs`'s streaming writer (rows are
 * committed as they are written, so memory stays flat): Summary, Findings (one
 * row per finding, filters, frozen header, severity colours), Evidence (one row
 * per evidence field), Requirements (framework attestation) and Run metadata.
 * Dates are written as dates and counts as numbers.
 *
 * @module
 */

import ExcelJS from "exceljs";
import { Writable } from "node:stream";
import type { ReportContent } from "../model.ts";
import { evidencePairs, FINDING_COLUMNS } from "./rows.ts";
import type { ByteSink } from "./sink.ts";

/** Options of {@linkcode renderXlsx}. */
export interface XlsxOptions {
  /** Called every 1000 findings with the findings written so far. */
  onProgress?: (rows: number) => Promise<void> | void;
}

/** Fill colours (ARGB) of the severity cells. */
export const SEVERITY_FILL: Record<string, string> = {
  critical: "FFB91C1C",
  high: "FFEA580C",
  medium: "FFF59E0B",
  low: "FF2563EB",
  informational: "FF6B7280",
};

const HEADER_FONT = { bold: true, color: { argb: "FFFFFFFF" } };
const HEADER_FILL = {
  type: "pattern" as const,
  pattern: "solid" as const,
  fgColor: { argb: "FF1F2937" },
};
const DATE_FORMAT = "yyyy-mm-dd hh:mm";
/** Every sheet keeps its header row in view. */
const FROZEN_HEADER = { views: [{ state: "frozen" as const, ySplit: 1 }] };

type Sheet = ExcelJS.Worksheet;

/**
 * Writes the report as an .xlsx workbook, streaming.
 *
 * @param content the report
 * @param sink where the bytes go
 * @param options progress
 * @returns the number of findings written
 */
export async function renderXlsx(
  content: ReportContent,
  sink: ByteSink,
  options: XlsxOptions = {},
): Promise<number> {
  let output = 0;
  const stream = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      output++;
      Promise.resolve(sink.write(new Uint8Array(chunk))).then(() => callback(), callback);
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = content.meta.generated_by.email || "ComplianceIQ";
  workbook.created = content.meta.generated_at;
  writeSummary(workbook.addWorksheet("Summary", FROZEN_HEADER), content);
  // exceljs queues committed rows for the zip without backpressure: every few
  // hundred rows, give compression the chance to pass output on before adding
  // more, so the queue (and memory) stays bounded however many findings there are.
  const settle = async () => {
    const before = output;
    for (let i = 0; i < 20 && output === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const rows = await writeFindings(
    workbook.addWorksheet("Findings", FROZEN_HEADER),
    content,
    options,
    settle,
  );
  await writeEvidence(workbook.addWorksheet("Evidence", FROZEN_HEADER), content, settle);
  writeRequirements(workbook.addWorksheet("Requirements", FROZEN_HEADER), content);
  writeMetadata(workbook.addWorksheet("Run metadata", FROZEN_HEADER), content);
  await workbook.commit();
  await done;
  return rows;
}

function header(sheet: Sheet, columns: { header: string; key: string; width: number }[]): void {
  sheet.columns = columns;
  const row = sheet.getRow(1);
  row.font = HEADER_FONT;
  row.fill = HEADER_FILL;
}

function writeSummary(sheet: Sheet, content: ReportContent): void {
  header(sheet, [
    { header: "Measure", key: "name", width: 40 },
    { header: "Value", key: "value", width: 18 },
    { header: "Passed", key: "passed", width: 10 },
    { header: "Failed", key: "failed", width: 10 },
    { header: "Not evaluated", key: "ne", width: 15 },
  ]);
  const { meta, summary } = content;
  sheet.addRow({ name: "Organization", value: meta.organization.name }).commit();
  sheet.addRow({ name: "Instance", value: meta.instance.name }).commit();
  const evaluated = sheet.addRow({ name: "Evaluated at", value: meta.run.evaluated_at });
  evaluated.getCell("value").numFmt = DATE_FORMAT;
  evaluated.commit();
  if (!summary) {
    sheet.commit();
    return;
  }
  const score = (
    name: string,
    s: { score: number | null; passed: number; failed: number; not_evaluated: number },
  ) =>
    sheet.addRow({ name, value: s.score, passed: s.passed, failed: s.failed, ne: s.not_evaluated })
      .commit();
  score("Overall score", summary.scores.overall);
  score("Hardening score", summary.scores.hardening);
  score("Behavioural score", summary.scores.behavioural);
  sheet.addRow({
    name: "Security Center score",
    value: summary.scores.security_center.score,
    passed: summary.scores.security_center.compliant,
    failed: summary.scores.security_center.total - summary.scores.security_center.compliant,
    ne: summary.scores.security_center.not_evaluated,
  }).commit();
  for (const [id, s] of Object.entries(summary.scores.frameworks)) score(`Framework ${id}`, s);
  for (const [id, s] of Object.entries(summary.scores.areas)) score(`Area ${id}`, s);
  sheet.addRow({ name: "Failing findings", value: summary.summary.findings.failing }).commit();
  sheet.addRow({ name: "Muted findings", value: summary.summary.findings.muted }).commit();
  for (const [severity, n] of Object.entries(summary.summary.findings.by_severity)) {
    sheet.addRow({ name: `Findings: ${severity}`, value: n }).commit();
  }
  sheet.commit();
}

async function writeFindings(
  sheet: Sheet,
  content: ReportContent,
  options: XlsxOptions,
  settle: () => Promise<void>,
): Promise<number> {
  header(sheet, FINDING_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width })));
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: 1, column: FINDING_COLUMNS.length },
  };
  const severityColumn = FINDING_COLUMNS.findIndex((c) => c.key === "severity") + 1;
  const dateColumns = FINDING_COLUMNS.flatMap((c, i) => c.key.endsWith("_at") ? [i + 1] : []);
  let rows = 0;
  for await (const finding of content.findings()) {
    const row = sheet.addRow(FINDING_COLUMNS.map((c) => c.value(finding)));
    const fill = SEVERITY_FILL[finding.severity];
    if (fill) {
      const cell = row.getCell(severityColumn);
      cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: fill } };
      cell.font = { color: { argb: "FFFFFFFF" }, bold: true };
    }
    for (const c of dateColumns) row.getCell(c).numFmt = DATE_FORMAT;
    row.commit();
    if (++rows % 250 === 0) await settle();
    if (rows % 1000 === 0) await options.onProgress?.(rows);
  }
  sheet.commit();
  return rows;
}

async function writeEvidence(
  sheet: Sheet,
  content: ReportContent,
  settle: () => Promise<void>,
): Promise<void> {
  header(sheet, [
    { header: "Finding ID", key: "id", width: 38 },
    { header: "Check", key: "check", width: 36 },
    { header: "Resource", key: "resource", width: 36 },
    { header: "Field", key: "field", width: 28 },
    { header: "Value", key: "value", width: 60 },
  ]);
  sheet.autoFilter = "A1:E1";
  let n = 0;
  for await (const finding of content.findings()) {
    if (++n % 100 === 0) await settle();
    for (const [field, value] of evidencePairs(finding)) {
      sheet.addRow({
        id: finding.id,
        check: finding.check_id,
        resource: finding.resource_key,
        field,
        value,
      }).commit();
    }
  }
  sheet.commit();
}

function writeRequirements(sheet: Sheet, content: ReportContent): void {
  header(sheet, [
    { header: "Framework", key: "framework", width: 28 },
    { header: "Requirement", key: "id", width: 16 },
    { header: "Name", key: "name", width: 48 },
    { header: "Section", key: "section", width: 28 },
    { header: "Coverage", key: "coverage", width: 12 },
    { header: "Verdict", key: "status", width: 16 },
    { header: "Checks passed", key: "passed", width: 14 },
    { header: "Checks failed", key: "failed", width: 14 },
    { header: "Not evaluated", key: "ne", width: 14 },
    { header: "Checks", key: "checks", width: 60 },
    { header: "Evidence summary", key: "evidence", width: 80 },
  ]);
  for (const framework of content.attestation ?? []) {
    for (const r of framework.requirements) {
      sheet.addRow({
        framework: `${framework.name} ${framework.version}`,
        id: r.id,
        name: r.name,
        section: r.section,
        coverage: r.coverage,
        status: r.status,
        passed: r.passed,
        failed: r.failed,
        ne: r.not_evaluated,
        checks: r.checks.map((c) => `${c.check_id} (${c.effective})`).join("; "),
        evidence: r.evidence_summary.join("; "),
      }).commit();
    }
  }
  sheet.commit();
}

function writeMetadata(sheet: Sheet, content: ReportContent): void {
  header(sheet, [
    { header: "Field", key: "field", width: 24 },
    { header: "Value", key: "value", width: 60 },
  ]);
  const { meta } = content;
  const rows: [string, string | number | Date | null][] = [
    ["Report", meta.title],
    ["Organization", meta.organization.name],
    ["Instance", meta.instance.name],
    ["Instance URL", meta.instance.url],
    ["Run ID", meta.run.id],
    ["Run trigger", meta.run.trigger],
    ["Evaluated at", meta.run.evaluated_at],
    ["Finished at", meta.run.finished_at],
    ["Previous run ID", meta.run.previous_run_id],
    ["Framework", meta.framework ? `${meta.framework.name} ${meta.framework.version}` : "All"],
    ["Catalog version", meta.catalog_version],
    ["Generated at", meta.generated_at],
    ["Generated by", meta.generated_by.email],
    ["Sections", meta.sections.join(", ")],
    ["Filters", JSON.stringify(meta.scope.filters)],
  ];
  for (const [field, value] of rows) {
    const row = sheet.addRow({ field, value });
    if (value instanceof Date) row.getCell("value").numFmt = DATE_FORMAT;
    row.commit();
  }
  sheet.commit();
}
