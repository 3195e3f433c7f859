// Child process of `deno task bench load`: the dev stack (every function, the
// auth stand-in, QStash stand-in) on DATABASE_URL as is, with the functions'
// rate limit off and sign-in limits keyed on X-Forwarded-For (each virtual
// user is its own address), plus a bare `select 1` endpoint on a second port
// sharing the stack's pool — the baseline measured in the same run. Prints one
// JSON line {url, anonKey, select1Url} when ready; stops on SIGTERM.
import { startStack } from "../dev/stack.ts";

const stack = await startStack({
  port: 0,
  persist: true,
  quiet: true,
  seedDemo: false,
  snowDemo: false,
  redis: false,
  env: { RATE_LIMIT_PER_MINUTE: "0", TRUSTED_PROXIES: "127.0.0.1" },
});
const select1 = Deno.serve(
  { port: 0, hostname: "127.0.0.1", onListen: () => {} },
  async () => Response.json(await stack.db.sql`select 1 as one`),
);
// deno-lint-ignore no-console
console.log(JSON.stringify({
  url: stack.url,
  anonKey: stack.auth.anonKey,
  select1Url: `http://127.0.0.1:${select1.addr.port}/`,
}));
Deno.addSignalListener("SIGTERM", async () => {
  await select1.shutdown();
  await stack.stop();
  Deno.exit(0);
});
