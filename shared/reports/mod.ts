/**
 * Reports and exports: one content model (`model.ts`) built from the analysis
 * API under row-level security (`content.ts`), rendered as PDF, Excel, CSV and
 * JSON (`render/`).
 *
 * @example
 * ```ts
 * const content = await buildReport(db, claims, reportSpecSchema.parse({ scope: { org_id, instance_id } }));
 * const sink = new BufferSink();
 * await renderPdf(content, sink);
 * ```
 *
 * @module
 */

export {
  REPORT_FORMATS,
  REPORT_SECTIONS,
  reportFiltersSchema,
  reportScopeSchema,
  reportSpecSchema,
  SECTION_TITLES,
} from "./model.ts";
export type {
  AttestedFramework,
  AttestedRequirement,
  ChangesSection,
  CoverageRow,
  ReportContent,
  ReportFilters,
  ReportFinding,
  ReportFormat,
  ReportMeta,
  ReportScope,
  ReportSection,
  ReportSpec,
  SummarySection,
  TrendPoint,
} from "./model.ts";
export { buildReport, FINDINGS_PAGE_SIZE } from "./content.ts";
export type { BuildReportOptions } from "./content.ts";
export { BufferSink, TextSink } from "./render/sink.ts";
export type { ByteSink } from "./render/sink.ts";
export { csvField, neutralizeFormula, renderCsv } from "./render/csv.ts";
export type { CsvOptions } from "./render/csv.ts";
export { renderJson } from "./render/json.ts";
export type { JsonOptions } from "./render/json.ts";
export { renderXlsx, SEVERITY_FILL } from "./render/xlsx.ts";
export type { XlsxOptions } from "./render/xlsx.ts";
export { PDF_MAX_FINDINGS, renderPdf } from "./render/pdf.ts";
export type { PdfOptions } from "./render/pdf.ts";
export { FINDING_COLUMNS } from "./render/rows.ts";
export { linkUrl } from "./tokens.ts";
export { loadReportsConfig } from "./config.ts";
export type { ReportsConfig } from "./config.ts";
export { CHUNK_BYTES, postgresStorage, reportStorage, supabaseStorage } from "./storage.ts";
export type { ReportStorage, StorageWriter, StoredFile, TxRunner } from "./storage.ts";
export {
  currentReportStorage,
  fileName,
  FORMAT_FILES,
  REPORT_EXPORT_TASK_KIND,
  reportExportTask,
  setReportStorage,
} from "./task.ts";
export type { FormatRenderer } from "./task.ts";
export {
  createDefinition,
  createDefinitionSchema,
  createLink,
  createLinkSchema,
  definitionSchema,
  deleteDefinition,
  deliverySchema,
  downloadByLink,
  downloadExport,
  EXPORT_FORMATS,
  exportSchema,
  getDefinition,
  getExport,
  linkSchema,
  listDefinitions,
  listDefinitionsQuerySchema,
  listDeliveries,
  listDeliveriesQuerySchema,
  listExports,
  listExportsQuerySchema,
  listLinks,
  purgeExpired,
  revokeLink,
  rotateWebhookSecret,
  startExport,
  startExportSchema,
  updateDefinition,
  updateDefinitionSchema,
} from "./service.ts";
export type {
  Download,
  ExportFormat,
  ReportDefinition,
  ReportDeliveryRecord,
  ReportExport,
  ReportLink,
  ReportServices,
  SavedDefinition,
} from "./service.ts";
export {
  definitionApiSchema,
  deliveryApiSchema,
  exportApiSchema,
  linkApiSchema,
} from "./api_schemas.ts";
export {
  checkWebhookUrl,
  createReportDelivery,
  currentReportDelivery,
  generateWebhookSecret,
  reportDeliveryFromConfig,
  setReportDelivery,
  signWebhook,
  WebhookUrlError,
} from "./delivery.ts";
export type {
  DeliveryResult,
  DeliverySetup,
  EmailAttachment,
  ReportDelivery,
  ReportDeliveryOptions,
  ReportEmail,
  ReportWebhook,
} from "./delivery.ts";
export { reportDeliverTask } from "./deliver.ts";
export {
  deliverNow,
  removeReportSchedule,
  reportScheduleCron,
  reportScheduledTask,
  reportScheduleId,
  upsertReportSchedule,
} from "./schedule.ts";
export type { ReportSchedule } from "./schedule.ts";
export {
  ensureRetentionSchedule,
  purgeExpiredFiles,
  reportRetentionTask,
  retentionScheduleId,
} from "./retention.ts";
export { currentPackKey, loadPackKey, renderPack } from "./pack.ts";
export type { PackKey } from "./pack.ts";
export { PACK_FORMAT, verifyPack } from "./pack_verify.ts";
export type { ManifestFile, PackManifest, PackVerification } from "./pack_verify.ts";
export {
  coverFacts,
  describeFilters,
  formatReportDate,
  previewReport,
  reportPreviewSchema,
} from "./preview.ts";
export type { CoverFact, ReportPreview } from "./preview.ts";
