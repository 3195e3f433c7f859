/**
 * One interface for where generated files live: Postgres (self-hosted; the
 * bytes in `report_file_chunks`, 1 MiB a row, written and read a chunk at a
 * time so memory stays flat) or Supabase Storage through `supabase-js`
 * (hosted). Callers never know which.
 *
 * @module
 */

import { createClient } from "@supabase/supabase-js";
import type { Tx } from "../db/mod.ts";
import { loadReportsConfig, type ReportsConfig } from "./config.ts";
import type { ByteSink } from "./render/sink.ts";

/** Runs a function in a transaction (a task's `ctx.tx`, or `db.asTenant` with claims). */
export type TxRunner = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** Bytes per stored chunk. */
export const CHUNK_BYTES = 1024 * 1024;

/** Where a file is being written; `close` returns its storage key. */
export interface StorageWriter extends ByteSink {
  close(): Promise<string>;
}

/** A file to read or remove. */
export interface StoredFile {
  id: string;
  org_id: string;
  storage_key: string;
  content_type: string;
}

/** Where generated files are kept. */
export interface ReportStorage {
  readonly kind: "postgres" | "supabase";
  /** Opens a writer for an export's file. */
  writer(run: TxRunner, file: Omit<StoredFile, "storage_key">): StorageWriter;
  /** The file's bytes as a stream. */
  read(run: TxRunner, file: StoredFile): ReadableStream<Uint8Array>;
  /** Deletes the file (a missing file is not an error). */
  remove(run: TxRunner, file: StoredFile): Promise<void>;
}

/** Files in Postgres: chunks of 1 MiB in `report_file_chunks`. */
export function postgresStorage(): ReportStorage {
  return {
    kind: "postgres",
    writer(run, file) {
      let parts: Uint8Array[] = [];
      let size = 0;
      let seq = 0;
      const flush = async () => {
        if (size === 0) return;
        const chunk = concat(parts, size);
        parts = [];
        size = 0;
        const n = seq++;
        await run((tx) =>
          tx`insert into public.report_file_chunks (export_id, org_id, seq, data)
             values (${file.id}, ${file.org_id}, ${n}, ${chunk})`
        );
      };
      return {
        async write(chunk) {
          let rest = chunk;
          while (rest.length > 0) {
            const take = Math.min(rest.length, CHUNK_BYTES - size);
            parts.push(rest.subarray(0, take));
            size += take;
            rest = rest.subarray(take);
            if (size >= CHUNK_BYTES) await flush();
          }
        },
        async close() {
          await flush();
          return `postgres:${file.id}`;
        },
      };
    },
    read(run, file) {
      let seq = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          const [row] = await run((tx) =>
            tx<{ data: Uint8Array }[]>`
              select data from public.report_file_chunks
              where export_id = ${file.id} and seq = ${seq}`
          );
          seq++;
          if (row) controller.enqueue(new Uint8Array(row.data));
          else controller.close();
        },
      });
    },
    async remove(run, file) {
      await run((tx) => tx`delete from public.report_file_chunks where export_id = ${file.id}`);
    },
  };
}

/**
 * Files in Supabase Storage (hosted): one object per export under
 * `<org>/<export>` in the configured bucket, written with the service role.
 * The upload streams (the renderer's chunks flow into one request body) and a
 * read streams the object from a short-lived signed URL, so neither holds the
 * file in memory.
 */
export function supabaseStorage(config: ReportsConfig, fetchImpl?: typeof fetch): ReportStorage {
  const client = createClient(config.SUPABASE_URL!, config.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(fetchImpl ? { global: { fetch: fetchImpl } } : {}),
  });
  const doFetch = fetchImpl ?? fetch;
  const bucket = () => client.storage.from(config.REPORTS_BUCKET);
  const keyOf = (file: StoredFile) => file.storage_key.replace(/^supabase:/, "");
  return {
    kind: "supabase",
    writer(_run, file) {
      const key = `${file.org_id}/${file.id}`;
      const pipe = new TransformStream<Uint8Array, Uint8Array>();
      const input = pipe.writable.getWriter();
      const upload = bucket().upload(key, pipe.readable, {
        contentType: file.content_type,
        upsert: true,
        duplex: "half",
      });
      // A failed upload must not stay unhandled while the renderer still writes.
      const done = upload.then(({ error }) => error, (error: Error) => error);
      const failed = async (): Promise<never> => {
        const error = await done;
        throw new Error(`Cannot store the report in Supabase Storage: ${error?.message}`);
      };
      return {
        async write(chunk) {
          await input.write(chunk).catch(failed);
        },
        async close() {
          await input.close().catch(failed);
          const error = await done;
          if (error) {
            throw new Error(`Cannot store the report in Supabase Storage: ${error.message}`);
          }
          return `supabase:${key}`;
        },
      };
    },
    read(_run, file) {
      let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
      return new ReadableStream<Uint8Array>({
        async start(controller) {
          const { data, error } = await bucket().createSignedUrl(keyOf(file), 60);
          const res = data ? await doFetch(data.signedUrl).catch(() => null) : null;
          if (!res?.ok || !res.body) {
            await res?.body?.cancel();
            controller.error(
              new Error(
                `Cannot read the report from Supabase Storage: ${
                  error?.message ?? `status ${res?.status ?? "unreachable"}`
                }`,
              ),
            );
            return;
          }
          reader = res.body.getReader();
        },
        // One chunk at a time, as the consumer asks for it.
        async pull(controller) {
          const { value, done } = await reader!.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader?.cancel(reason),
      });
    },
    async remove(_run, file) {
      const { error } = await bucket().remove([keyOf(file)]);
      if (error) {
        throw new Error(`Cannot delete the report from Supabase Storage: ${error.message}`);
      }
    },
  };
}

/** The storage the configuration chooses. */
export function reportStorage(config: ReportsConfig): ReportStorage {
  return config.REPORTS_STORAGE === "supabase" ? supabaseStorage(config) : postgresStorage();
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Storage used by exports; tests and the dev stack may set it. */
let storageOverride: ReportStorage | null = null;

/** Uses `storage` for exports in this process (tests), or the configured one when null. */
export function setReportStorage(storage: ReportStorage | null): void {
  storageOverride = storage;
}

/** The storage exports are written to in this process. */
export function currentReportStorage(): ReportStorage {
  return storageOverride ?? reportStorage(loadReportsConfig());
}
