// Spawns a private `redis-server` on a free loopback port for the dev stack and tests.
import { Redis } from "ioredis";

/** A `redis-server` child process this process started. */
export interface RedisProcess {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Whether `redis-server` can be started from PATH. */
export async function redisServerAvailable(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/**
 * Starts `redis-server` on 127.0.0.1 with nothing persisted (no RDB, no AOF),
 * and resolves once it answers PING.
 *
 * @param options how long to wait for it to answer (default 10 s)
 * @throws {Error} when redis-server is missing or never answers
 */
export async function startRedisProcess(
  options: { timeoutMs?: number } = {},
): Promise<RedisProcess> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  // A free port can be taken between probing and binding; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const exited = child.status.then(() => true);
    try {
      await waitForPing(port, deadline, exited);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          try {
            child.kill("SIGTERM");
          } catch {
            // already gone
          }
          await child.status;
        },
      };
    } catch (error) {
      lastError = error;
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      if (Date.now() > deadline) break;
    }
  }
  throw new Error(`redis-server did not start: ${String(lastError)}`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPing(port: number, deadline: number, exited: Promise<boolean>) {
  let gone = false;
  exited.then(() => gone = true);
  while (!gone) {
    const client = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      if (await client.ping() === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error("no answer to PING");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("redis-server exited at start (port taken?)");
}
