import { isServiceNowError, type ServiceNowClient } from "../client/mod.ts";
import {
  InstanceAuthError,
  type ReadOptions,
  type RecordPage,
  type SnowTableReader,
  TableUnavailableError,
} from "./reader.ts";

/**
 * Adapts the Table API client to the sync engine: keyset pages and key scans
 * resume from a sys_id, and the client's typed errors become what the engine
 * acts on — a denied table is reported as not readable, a missing or refused
 * table as failed, rejected credentials stop the sync, and anything transient
 * (rate limits after retries, outages, timeouts) is left to the task's retries.
 *
 * @param client a client for one instance
 */
export function clientReader(client: ServiceNowClient): SnowTableReader {
  return {
    async *pages(table, options) {
      try {
        for await (
          const batch of client.iterateRecords(table, {
            fields: options.fields,
            query: options.query || undefined,
            startAfter: options.after ?? undefined,
            pageSize: options.pageSize,
            signal: options.signal,
          })
        ) {
          yield {
            records: batch.records,
            cursor: batch.cursor,
            maxUpdatedOn: batch.maxUpdatedOn,
          } satisfies RecordPage;
        }
      } catch (error) {
        throw translate(error, table);
      }
    },
    async *keys(table, options: ReadOptions) {
      try {
        yield* client.iterateKeys(table, {
          query: options.query || undefined,
          startAfter: options.after ?? undefined,
          pageSize: options.pageSize,
          signal: options.signal,
        });
      } catch (error) {
        throw translate(error, table);
      }
    },
    async count(table, options) {
      try {
        return await client.aggregateCount(table, {
          query: options.query || undefined,
          signal: options.signal,
        });
      } catch (error) {
        if (isServiceNowError(error, "auth_failed")) throw translate(error, table);
        // Progress only: an instance that will not count still syncs.
        return null;
      }
    },
  };
}

function translate(error: unknown, table: string): unknown {
  if (!isServiceNowError(error)) return error;
  switch (error.kind) {
    case "auth_failed":
      return new InstanceAuthError(
        "Cannot sync: the instance rejected the credentials (check the integration user)",
        { cause: error },
      );
    case "not_readable":
      return new TableUnavailableError(
        `Cannot read table "${table}": the integration user is not allowed to (403)`,
        "not_readable",
        error,
      );
    case "not_found":
      return new TableUnavailableError(
        `Cannot read table "${table}": it does not exist on this instance`,
        "not_found",
        error,
      );
    case "bad_request":
      return new TableUnavailableError(error.message, "failed", error);
    default:
      return error;
  }
}
