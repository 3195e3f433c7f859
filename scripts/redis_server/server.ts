// The Upstash Redis REST protocol (what @upstash/redis speaks) in front of a real
// Redis server, reached over RESP through ioredis.
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { type RedisProcess, redisServerAvailable, startRedisProcess } from "./_process.ts";

/** Options for {@linkcode createRedisRestServer}. */
export interface RedisRestServerOptions {
  /** The Redis server to forward to, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** Bearer token clients must send; a random one by default. */
  token?: string;
}

/** The REST front end; route requests to {@linkcode RedisRestServer.fetch}. */
export interface RedisRestServer {
  /** Bearer token clients must send (`UPSTASH_REDIS_REST_TOKEN`). */
  readonly token: string;
  /** Handles `POST /`, `POST /pipeline`, `POST /multi-exec` and path-style commands. */
  fetch(req: Request): Promise<Response>;
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/** One command as the protocol carries it: name and arguments. */
type Command = (string | number)[];

/** Replies ioredis gives for `callBuffer`. */
type Reply = Buffer | number | null | Reply[] | Error;

/**
 * Commands that would block or take over the one shared connection, or change
 * its state for every other client; Upstash refuses them too.
 */
const REFUSED = new Set([
  "auth",
  "blmove",
  "blmpop",
  "blpop",
  "brpop",
  "brpoplpush",
  "bzmpop",
  "bzpopmax",
  "bzpopmin",
  "client",
  "hello",
  "monitor",
  "psubscribe",
  "psync",
  "punsubscribe",
  "quit",
  "reset",
  "select",
  "shutdown",
  "ssubscribe",
  "subscribe",
  "sunsubscribe",
  "sync",
  "unsubscribe",
  "wait",
  "xread",
  "xreadgroup",
]);

/** Largest request body accepted (Upstash's own limit is larger; this is a dev stand-in). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

class ProtocolError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/**
 * Creates the REST front end over the Redis server at `redisUrl`.
 *
 * @param options where Redis is and the token to demand
 */
export function createRedisRestServer(options: RedisRestServerOptions): RedisRestServer {
  const token = options.token ?? crypto.randomUUID().replaceAll("-", "");
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on("error", () => {});

  const scripts = new ScriptFlags();

  const authorized = (req: Request, url: URL) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    return (bearer ?? url.searchParams.get("_token")) === token;
  };

  return {
    token,
    async fetch(req) {
      const url = new URL(req.url);
      try {
        if (!authorized(req, url)) throw new ProtocolError("Unauthorized", 401);
        const base64 = req.headers.get("upstash-encoding")?.toLowerCase() === "base64";
        const path = url.pathname.replace(/\/+$/, "");
        const result = (reply: Reply) =>
          reply instanceof Error ? { error: reply.message } : { result: encode(reply, base64) };
        const results = (replies: [Error | null, unknown][]) =>
          replies.map(([error, reply]) => result(error ?? reply as Reply));

        if (req.method === "POST" && path === "/pipeline") {
          const commands = parseCommandList(await readJson(req));
          const pipeline = redis.pipeline();
          for (const command of commands) pipeline.callBuffer(...split(scripts.rewrite(command)));
          const replies = await pipeline.exec();
          return Response.json(results(replies ?? []));
        }
        if (req.method === "POST" && path === "/multi-exec") {
          const commands = parseCommandList(await readJson(req));
          const multi = redis.multi();
          for (const command of commands) multi.callBuffer(...split(scripts.rewrite(command)));
          const replies = await multi.exec();
          if (!replies) throw new ProtocolError("ERR transaction aborted");
          return Response.json(results(replies));
        }
        let command: Command;
        if (req.method === "POST" && path === "") {
          command = parseCommand(await readJson(req));
        } else if (req.method === "GET" || req.method === "POST" || req.method === "PUT") {
          command = pathCommand(path);
          const body = req.method === "GET" ? "" : await readText(req);
          if (body) command.push(body);
        } else {
          throw new ProtocolError(`ERR method ${req.method} is not supported`, 405);
        }
        const reply = await redis.callBuffer(...split(scripts.rewrite(command))) as Reply;
        return Response.json(result(reply));
      } catch (error) {
        if (error instanceof ProtocolError) {
          return Response.json({ error: error.message }, { status: error.status });
        }
        if (error instanceof Error && /^[A-Z]+ /.test(error.message)) {
          // A Redis error reply: `ERR …`, `WRONGTYPE …`, `NOSCRIPT …`, `EXECABORT …`.
          return Response.json({ error: error.message }, { status: 400 });
        }
        return Response.json(
          { error: `ERR cannot reach Redis: ${error instanceof Error ? error.message : error}` },
          { status: 500 },
        );
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A stand-in listening on its own loopback port, over its own redis-server. */
export interface RedisStandIn {
  /** `UPSTASH_REDIS_REST_URL` */
  readonly url: string;
  /** `UPSTASH_REDIS_REST_TOKEN` */
  readonly token: string;
  /** The redis-server behind it. */
  readonly redis: RedisProcess;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free port and the REST front end on another, both
 * on 127.0.0.1: for tests and tools that need a whole Upstash-like endpoint.
 *
 * @param options a fixed token
 */
export async function startRedisStandIn(options: { token?: string } = {}): Promise<RedisStandIn> {
  const redis = await startRedisProcess();
  const rest = createRedisRestServer({ redisUrl: redis.url, token: options.token });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, rest.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    token: rest.token,
    redis,
    stop: async () => {
      await server.shutdown();
      await rest.close();
      await redis.stop();
    },
  };
}

/**
 * Why a Redis-backed test cannot run here, or null when it can: tests pass this
 * to `Deno.test`'s `ignore` and print it.
 */
export async function redisUnavailableReason(): Promise<string | null> {
  return await redisServerAvailable()
    ? null
    : "redis-server is not on PATH (apt-get install redis-server): skipping tests over real Redis";
}

async function readText(req: Request): Promise<string> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) throw new ProtocolError("ERR request body is too large", 413);
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new ProtocolError("ERR request body is too large", 413);
  return text;
}

async function readJson(req: Request): Promise<unknown> {
  try {
    return JSON.parse(await readText(req));
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError("ERR failed to parse the request body as JSON");
  }
}

function parseCommand(body: unknown): Command {
  if (!Array.isArray(body) || body.length === 0) {
    throw new ProtocolError("ERR the body must be a JSON array: a command and its arguments");
  }
  for (const part of body) {
    if (typeof part !== "string" && typeof part !== "number") {
      throw new ProtocolError("ERR command arguments must be strings or numbers");
    }
  }
  const name = String(body[0]).toLowerCase();
  if (REFUSED.has(name)) {
    throw new ProtocolError(`ERR command ${name.toUpperCase()} is not available over REST`);
  }
  return body as Command;
}

function parseCommandList(body: unknown): Command[] {
  if (!Array.isArray(body) || body.length === 0) {
    throw new ProtocolError("ERR the body must be a JSON array of commands");
  }
  return body.map(parseCommand);
}

function pathCommand(path: string): Command {
  const parts = path.split("/").filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new ProtocolError("ERR malformed URL encoding in the path");
    }
  });
  return parseCommand(parts);
}

/**
 * Name and arguments for ioredis. The name goes upper-case: ioredis rewrites
 * the replies of some lower-case names (HGETALL into an object), and Redis
 * itself does not mind the case.
 */
function split(command: Command): [string, ...(string | number)[]] {
  const [name, ...args] = command;
  return [String(name).toUpperCase(), ...args];
}

/** Redis reply → JSON: bulk strings as UTF-8, or base64 when the client asked (not "OK"). */
function encode(reply: Reply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
  if (reply instanceof Error) return reply.message;
  const text = reply.toString("utf8");
  return base64 && text !== "OK" ? reply.toString("base64") : text;
}

/**
 * Upstash accepts a script flag Redis does not know: `#!lua flags=allow-key-locking`
 * (`@upstash/ratelimit` sends it). The stand-in drops the flag before Redis sees the
 * script, and answers with the SHA1 of the script as the client sent it, mapping
 * that SHA to the one Redis knows, so EVALSHA with the client's SHA keeps working.
 */
class ScriptFlags {
  readonly #shas = new Map<string, string>();

  rewrite(command: Command): Command {
    const name = String(command[0]).toLowerCase();
    if ((name === "eval" || name === "eval_ro") && typeof command[1] === "string") {
      return [command[0]!, this.#strip(command[1]), ...command.slice(2)];
    }
    if (name === "evalsha" || name === "evalsha_ro") {
      const sha = String(command[1]).toLowerCase();
      return [command[0]!, this.#shas.get(sha) ?? sha, ...command.slice(2)];
    }
    if (name === "script" && String(command[1]).toLowerCase() === "load") {
      // Answers the SHA of the stripped script, which EVALSHA then finds as is.
      if (typeof command[2] === "string") {
        return [command[0]!, command[1]!, this.#strip(command[2])];
      }
    }
    return command;
  }

  #strip(script: string): string {
    const match = /^#!lua(?<flags>[^\n]*)/.exec(script);
    if (!match?.groups?.flags?.includes("allow-key-locking")) return script;
    const flags = /flags=(\S*)/.exec(match.groups.flags)?.[1]?.split(",")
      .filter((f) => f && f !== "allow-key-locking") ?? [];
    const stripped = `#!lua${flags.length ? ` flags=${flags.join(",")}` : ""}` +
      script.slice(match[0].length);
    this.#shas.set(sha1(script), sha1(stripped));
    return stripped;
  }
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
