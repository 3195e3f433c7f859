// Verifies an evidence pack offline: `deno task verify-pack <file.zip> [--jwks <file or URL>]`.
// Exits 0 when the pack is intact and its signature valid, 1 otherwise, naming what failed.
// With --jwks, the signer's key must be one of the keys published at
// /reports/.well-known/jwks.json (saved to a file, or fetched from its URL).
import { verifyPack } from "../shared/reports/pack_verify.ts";

const args = [...Deno.args];
const jwksAt = args.indexOf("--jwks");
const jwksSource = jwksAt >= 0 ? args.splice(jwksAt, 2)[1] : undefined;
const [file] = args;
if (!file) {
  // deno-lint-ignore no-console
  console.error("Usage: deno task verify-pack <pack.zip> [--jwks <file or URL>]");
  Deno.exit(2);
}
let trusted: JsonWebKey[] = [];
if (jwksSource) {
  const text = /^https?:\/\//.test(jwksSource)
    ? await (await fetch(jwksSource)).text()
    : await Deno.readTextFile(jwksSource);
  trusted = (JSON.parse(text) as { keys: JsonWebKey[] }).keys;
}
const result = await verifyPack(await Deno.readFile(file), trusted);
if (result.ok) {
  const m = result.manifest!;
  // deno-lint-ignore no-console
  console.log(
    `OK: ${file} is intact and signed by key ${result.kid}\n` +
      `  ${m.title} — ${m.organization.name}, ${m.instance.name}, run ${m.run_id}\n` +
      `  catalog ${m.catalog_version}, generated ${m.generated_at} by ${m.generated_by}\n` +
      m.files.map((f) => `  ${f.sha256}  ${f.name} (${f.bytes} bytes)`).join("\n"),
  );
} else {
  // deno-lint-ignore no-console
  console.error(`FAILED: ${file}\n${result.problems.map((p) => `  - ${p}`).join("\n")}`);
  Deno.exit(1);
}
