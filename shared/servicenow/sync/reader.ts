import type { SnowRecord } from "./writer.ts";

/** One page of records, in `sys_id` order. */
export interface RecordPage {
  records: SnowRecord[];
  /** sys_id of the last record: where the next page starts. */
  cursor: string;
  /** Newest `sys_updated_on` in the page (UTC "YYYY-MM-DD HH:MM:SS"), or null. */
  maxUpdatedOn: string | null;
}

/** Options of {@linkcode SnowTableReader.pages} and {@linkcode SnowTableReader.keys}. */
export interface ReadOptions {
  /** Encoded query (without ordering); empty for every record. */
  query: string;
  /** Keyset position: only records whose sys_id sorts after this one. */
  after: string | null;
  pageSize: number;
  signal?: AbortSignal;
}

/**
 * What the sync engine needs from a ServiceNow connection. The production
 * implementation wraps the Table API client (`shared/servicenow/client`).
 */
export interface SnowTableReader {
  /** Pages of records matching `query`, ordered by sys_id, from `after` on. */
  pages(
    table: string,
    options: ReadOptions & { fields: readonly string[] },
  ): AsyncIterable<RecordPage>;
  /** Batches of sys_ids matching `query`, ordered, from `after` on (delete detection). */
  keys(table: string, options: ReadOptions): AsyncIterable<string[]>;
  /** How many records match `query`, or null when the instance will not say. */
  count(table: string, options: { query: string; signal?: AbortSignal }): Promise<number | null>;
}

/** Why a table could not be read; the sync reports it and goes on. */
export class TableUnavailableError extends Error {
  override name = "TableUnavailableError";
  /**
   * "not_readable": the integration user is denied; "not_found": the table does
   * not exist on the instance; "failed": anything else about the table.
   */
  readonly status: "not_readable" | "not_found" | "failed";
  constructor(message: string, status: TableUnavailableError["status"], cause?: unknown) {
    super(message, { cause });
    this.status = status;
  }
}

/** The instance refused the credentials; the whole sync stops. */
export class InstanceAuthError extends Error {
  override name = "InstanceAuthError";
}
