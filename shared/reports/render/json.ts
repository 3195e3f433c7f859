/**
 * JSON of a report: the metadata and every chosen section in the API's shapes,
 * with `findings` as the findings list returns them (plus remediation),
 * streamed one finding at a time.
 *
 * @module
 */

import type { ReportContent } from "../model.ts";
import { type ByteSink, TextSink } from "./sink.ts";

/** Options of {@linkcode renderJson}. */
export interface JsonOptions {
  /** Called every 1000 findings with the findings written so far. */
  onProgress?: (rows: number) => Promise<void> | void;
}

/**
 * Writes the report as one JSON object:
 * `{meta, summary, attestation, changes, suppressions, coverage, findings}`.
 *
 * @param content the report
 * @param sink where the bytes go
 * @param options progress
 * @returns the number of findings written
 */
export async function renderJson(
  content: ReportContent,
  sink: ByteSink,
  options: JsonOptions = {},
): Promise<number> {
  const out = new TextSink(sink);
  const { findings: _f, expected_findings: _e, ...sections } = content;
  const head = JSON.stringify(sections);
  await out.text(head.slice(0, -1) + ',"findings":[');
  let rows = 0;
  for await (const finding of content.findings()) {
    await out.text((rows === 0 ? "" : ",") + JSON.stringify(finding));
    if (++rows % 1000 === 0) await options.onProgress?.(rows);
  }
  await out.text("]}");
  await out.flush();
  return rows;
}
