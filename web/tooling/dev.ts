/**
 * `deno task web:dev [--port=5173] [--api=http://localhost:8000]`: the web app
 * with hot reload (Vite + Preact Fast Refresh), same-origin with the API.
 *
 * Without `--api` it starts its own dev stack (persistent PGlite in
 * `.data/pglite-web-dev`, demo user seeded) on a free port; with `--api` it
 * proxies to a stack you already run with `deno task dev`. Either way the
 * browser only talks to the Vite origin: `/auth/v1/*` and `/functions/v1/*`
 * are proxied, and `/app-config.json` is answered here with URLs on this origin.
 *
 * @module
 */
import { createServer, type Plugin } from "vite";
import { createViteConfig } from "./vite_config.ts";

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return Deno.args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

/** Serves `/app-config.json` with this dev server's origin, so auth and API calls stay same-origin. */
function appConfigPlugin(apiOrigin: string): Plugin {
  let anonKey: string | null = null;
  return {
    name: "complianceiq-app-config",
    configureServer(server) {
      server.middlewares.use("/app-config.json", (req, res) => {
        const origin = `http://${req.headers.host ?? "localhost"}`;
        const answer = async () => {
          if (!anonKey) {
            const upstream = await fetch(`${apiOrigin}/app-config.json`);
            if (!upstream.ok) throw new Error(`the API answered ${upstream.status}`);
            anonKey = (await upstream.json() as { supabaseAnonKey: string }).supabaseAnonKey;
          }
          res.setHeader("content-type", "application/json");
          res.setHeader("cache-control", "no-store");
          res.end(JSON.stringify({
            supabaseUrl: origin,
            supabaseAnonKey: anonKey,
            functionsUrl: `${origin}/functions/v1`,
            devMailbox: true,
          }));
        };
        answer().catch((error: unknown) => {
          res.statusCode = 502;
          res.end(
            `Cannot read /app-config.json from ${apiOrigin}: ${
              error instanceof Error ? error.message : error
            }`,
          );
        });
      });
    },
  };
}

if (import.meta.main) {
  const port = Number(flag("port") ?? Deno.env.get("WEB_PORT") ?? 5173);
  let apiOrigin = flag("api");
  let stopStack: (() => Promise<void>) | null = null;
  if (!apiOrigin) {
    const { startStack } = await import("../../scripts/dev/stack.ts");
    const dataDir = new URL("../../.data/pglite-web-dev", import.meta.url).pathname;
    const stack = await startStack({ port: 0, persist: true, dataDir, quiet: true });
    apiOrigin = stack.url;
    stopStack = stack.stop;
    // deno-lint-ignore no-console
    console.log(
      `API stack on ${stack.url} (demo login: ${stack.demo.email} / ${stack.demo.password})`,
    );
  }
  const config = createViteConfig("development", { apiOrigin, port });
  config.plugins = [...(config.plugins ?? []), appConfigPlugin(apiOrigin)];
  const server = await createServer(config);
  await server.listen();
  server.printUrls();
  const shutdown = async () => {
    await server.close();
    await stopStack?.();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => void shutdown());
  Deno.addSignalListener("SIGTERM", () => void shutdown());
}
