import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** An embedded Postgres reachable over the wire protocol on 127.0.0.1. */
export interface PgliteServer {
  /** postgres:// URL for postgres.js (use a pool of one connection). */
  readonly url: string;
  readonly db: PGlite;
  /** Tarball of the data directory, for snapshots. */
  dump(): Promise<Blob>;
  stop(): Promise<void>;
}

/** Options for {@linkcode startPgliteServer}. */
export interface PgliteServerOptions {
  /** Directory for persistent data; in memory when absent. */
  dataDir?: string;
  /** Data directory tarball to start from (see {@linkcode PgliteServer.dump}). */
  loadDataDir?: Blob;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
}

/**
 * Starts PGlite (PostgreSQL in WASM) and exposes it over a socket, so the same
 * postgres.js code path serves the embedded and the server database.
 *
 * @param options data directory, snapshot and port
 */
export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  if (options.dataDir) await Deno.mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
  });
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: options.port ?? 0 });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    db,
    dump: () => db.dumpDataDir("gzip") as Promise<Blob>,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
