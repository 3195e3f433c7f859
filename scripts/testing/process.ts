// Helpers for tests that start product processes (a function's index.ts, a
// sidecar) the way a deployment does: a free port, a cleared environment
// holding only what the test passes, and a wait until it answers.

/** A free loopback port (free when asked; bind it soon). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * An environment for a child started with `clearEnv`: only what Deno itself
 * needs to find its cache (HOME, PATH, DENO_DIR…), plus `env`.
 *
 * @param env the variables the process under test is given
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const platform = Object.fromEntries(
    ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"].flatMap((name) => {
      const value = Deno.env.get(name);
      return value ? [[name, value]] : [];
    }),
  );
  return { ...platform, NO_COLOR: "1", ...env };
}

/**
 * Waits until `url` answers 2xx, failing early when the process exits.
 *
 * @param url e.g. `http://127.0.0.1:1234/organizations/health`
 * @param child the process serving it
 * @param timeoutMs how long to wait in all (default two minutes: CI is loaded)
 */
export async function waitUntilServing(
  url: string,
  child: Deno.ChildProcess,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(exited ? `the process exited before serving ${url}` : `no answer on ${url}`);
}

/**
 * What every function process needs in a test: its port on loopback, the test
 * database (one connection: PGlite serves one at a time) and the test issuer's keys.
 *
 * @param options the port, the database URL and the JWKS tokens are signed with
 */
export function functionEnv(
  options: { port: number; databaseUrl: string; jwks: unknown },
): Record<string, string> {
  return {
    PORT: String(options.port),
    HOST: "127.0.0.1",
    DATABASE_URL: options.databaseUrl,
    DB_POOL_MAX: "1",
    SUPABASE_JWKS: JSON.stringify(options.jwks),
    SUPABASE_JWT_ISSUER: "http://localhost/auth/v1",
    LOG_LEVEL: "error",
  };
}
