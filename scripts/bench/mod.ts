// deno task bench <name> [args…]
// Runs scripts/bench/<name>.ts. Every benchmark prints its figures, a ratio to a
// baseline measured in the same run, and ends with one line of JSON.
const name = Deno.args[0];
const available: string[] = [];
for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
  if (entry.isFile && /^[a-z][a-z0-9_]*\.ts$/.test(entry.name) && entry.name !== "mod.ts") {
    available.push(entry.name.replace(/\.ts$/, ""));
  }
}
available.sort();
if (!name || !available.includes(name)) {
  // deno-lint-ignore no-console
  console.error(`Usage: deno task bench <name>\nBenchmarks: ${available.join(", ")}`);
  Deno.exit(2);
}
await import(`./${name}.ts`);
