import {
  createQStashServer,
  qstashEnv,
  type QStashServer,
  type QStashServerOptions,
} from "../qstash_server/mod.ts";

/** The QStash stand-in and a function app behind one loopback server. */
export interface QStashLoopback {
  /** Origin of the loopback server, e.g. `http://127.0.0.1:54321`. */
  url: string;
  qstash: QStashServer;
  /**
   * Configuration for the task client and the tasks function: `PUBLIC_URL` (so
   * the stand-in delivers to this server) and the stand-in's URL, token and keys.
   */
  env: Record<string, string>;
  /** Serves `/functions/v1/*` with `fetch` from now on (404 until then). */
  mount(fetch: (req: Request) => Response | Promise<Response>): void;
  /** Stops the stand-in's deliveries, then the server. */
  close(): Promise<void>;
}

/**
 * Starts the QStash stand-in at `/qstash` and the functions at `/functions/v1`
 * on one free loopback port, wired like the dev stack: the stand-in delivers
 * over HTTP to the functions' public URL. Call `qstash.start()` once the
 * functions are mounted.
 *
 * @param options the stand-in's options (database, log, clock, retry scale…)
 * @returns the server, the stand-in and the configuration that points at them
 */
export async function startQStashLoopback(options: QStashServerOptions): Promise<QStashLoopback> {
  const qstash = await createQStashServer(options);
  let functions: ((req: Request) => Response | Promise<Response>) | null = null;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/qstash/")) {
      url.pathname = url.pathname.slice("/qstash".length);
      return qstash.fetch(new Request(url, req));
    }
    if (url.pathname.startsWith("/functions/v1/") && functions) {
      url.pathname = url.pathname.slice("/functions/v1".length);
      return functions(new Request(url, req));
    }
    return new Response("not found", { status: 404 });
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    url,
    qstash,
    env: { PUBLIC_URL: url, ...qstashEnv(qstash, url) },
    mount: (fetch) => void (functions = fetch),
    async close() {
      await qstash.stop();
      await server.shutdown();
    },
  };
}
