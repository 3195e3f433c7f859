// The self-hosted image and compose file, checked without a Docker engine:
// what docs/operations.md promises about them (non-root, health check, the
// same Deno as CI, every service wired, secrets only from the env file).
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("../", import.meta.url);
const dockerfile = await Deno.readTextFile(new URL("Dockerfile", ROOT));
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(" ") };
  });
const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1);

Deno.test("the image runs the Deno CI pins, as a non-root user, with a health check", async () => {
  const from = last("FROM")!.args;
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  const pinned = ci.match(/npm install -g deno@(\d+\.\d+\.\d+)/)?.[1];
  assert.ok(pinned, ".ci/run pins the Deno it installs");
  assert.equal(from, `denoland/deno:${pinned}`);
  const user = last("USER")?.args;
  assert.ok(user && user !== "root" && user !== "0", "runs as non-root");
  assert.ok(
    instructions.findIndex((i) => i.keyword === "USER") >
      instructions.findIndex((i) => i.keyword === "RUN"),
    "USER comes after the build steps",
  );
  assert.match(last("HEALTHCHECK")!.args, /\/ready/);
  assert.match(last("CMD")!.args, /scripts\/serve\/main\.ts/);
  assert.doesNotMatch(last("CMD")!.args, /"-A"|--allow-all/, "least privilege at run time");
});

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }> | string[];
}

const compose = parse(await Deno.readTextFile(new URL("docker-compose.yml", ROOT)), {
  merge: true,
}) as { services: Record<string, ComposeService> };

Deno.test("compose wires the app to Postgres, Auth, Redis and the scheduler, after migrations", () => {
  const { services } = compose;
  for (const name of ["postgres", "auth", "redis", "redis-rest", "qstash", "migrate", "app"]) {
    assert.ok(services[name], `service ${name}`);
  }
  const app = services.app!;
  assert.equal(app.build, ".");
  assert.equal(app.environment?.AUTH_UPSTREAM_URL, "http://auth:9999");
  assert.match(app.environment?.QSTASH_URL ?? "", /qstash:8080/);
  assert.match(app.environment?.UPSTASH_REDIS_REST_URL ?? "", /redis-rest:8079/);
  const deps = app.depends_on as Record<string, { condition: string }>;
  assert.equal(deps.migrate?.condition, "service_completed_successfully");
  for (const name of ["redis-rest", "qstash"]) {
    assert.match(String(services[name]!.command), /scripts\/serve\//);
    assert.ok(services[name]!.healthcheck, `${name} has a health check`);
  }
});

Deno.test("compose keeps secrets in the env file, and the example names every one", async () => {
  const example = await Deno.readTextFile(new URL("ops/compose.env.example", ROOT));
  const names = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (!/TOKEN|SECRET|PASSWORD|KEY/.test(key)) continue;
      assert.match(String(value), /^\$\{/, `${name}: ${key} comes from .env`);
    }
  }
  for (
    const required of [
      "DATABASE_URL",
      "SUPABASE_JWT_SECRET",
      "SUPABASE_ANON_KEY",
      "CREDENTIALS_KEYS",
      "QSTASH_TOKEN",
      "QSTASH_CURRENT_SIGNING_KEY",
      "QSTASH_NEXT_SIGNING_KEY",
      "UPSTASH_REDIS_REST_TOKEN",
      "METRICS_TOKEN",
      "PUBLIC_URL",
    ]
  ) assert.ok(names.has(required), `ops/compose.env.example names ${required}`);
});

Deno.test("every function is configured for the Supabase CLI", async () => {
  const config = await Deno.readTextFile(new URL("supabase/config.toml", ROOT));
  for (const entry of Deno.readDirSync(new URL("functions/", ROOT))) {
    if (!entry.isDirectory) continue;
    assert.match(config, new RegExp(`\\[functions\\.${entry.name}\\]`), entry.name);
    assert.ok(
      config.includes(`entrypoint = "../functions/${entry.name}/index.ts"`),
      `${entry.name} entrypoint`,
    );
  }
});

Deno.test("the hosted deploy script pushes migrations, secrets and every function", async () => {
  const bin = await Deno.makeTempDir();
  const calls = `${bin}/calls.log`;
  for (const tool of ["supabase", "deno"]) {
    await Deno.writeTextFile(`${bin}/${tool}`, `#!/bin/sh\necho "${tool} $*" >> ${calls}\n`);
    await Deno.chmod(`${bin}/${tool}`, 0o755);
  }
  const envFile = `${bin}/production.env`;
  const complete = [
    "SUPABASE_DB_URL=postgres://x",
    "CREDENTIALS_KEYS=k1:abc",
    "QSTASH_TOKEN=t",
    "QSTASH_CURRENT_SIGNING_KEY=a",
    "QSTASH_NEXT_SIGNING_KEY=b",
    "UPSTASH_REDIS_REST_URL=https://r",
    "UPSTASH_REDIS_REST_TOKEN=t",
    "METRICS_TOKEN=0123456789abcdef",
    "PUBLIC_URL=https://app.example.com",
    "DB_PREPARE=false",
  ];
  const run = async (lines: string[]) => {
    await Deno.writeTextFile(envFile, lines.join("\n") + "\n");
    return await new Deno.Command("bash", {
      args: ["ops/deploy-supabase.sh", envFile],
      cwd: ROOT,
      env: { PATH: `${bin}:/usr/bin:/bin`, SUPABASE_PROJECT_REF: "abcd1234" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  };
  try {
    const refused = await run(complete.filter((l) => !l.startsWith("QSTASH_TOKEN")));
    assert.equal(refused.code, 1);
    assert.match(new TextDecoder().decode(refused.stderr), /does not set QSTASH_TOKEN/);

    const done = await run(complete);
    assert.equal(done.code, 0, new TextDecoder().decode(done.stderr));
    const log = await Deno.readTextFile(calls);
    assert.match(log, /supabase link --project-ref abcd1234/);
    assert.match(log, /supabase db push/);
    assert.match(log, new RegExp(`supabase secrets set --env-file ${envFile}`));
    for (const entry of Deno.readDirSync(new URL("functions/", ROOT))) {
      if (!entry.isDirectory) continue;
      assert.match(log, new RegExp(`supabase functions deploy ${entry.name} `), entry.name);
    }
    assert.match(log, /deno task web:build/);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
