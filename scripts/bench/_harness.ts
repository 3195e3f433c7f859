/** Figures one load run produced. */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/**
 * Drives `url` from a separate Deno process with `concurrency` connections.
 *
 * @param url the endpoint, or endpoints with their headers to take in turn
 * @param options concurrency, duration and request headers
 */
export async function loadTest(
  url: string | { url: string; headers?: Record<string, string> }[],
  options: { concurrency: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const spec = typeof url === "string" ? { url, ...options } : { targets: url, ...options };
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_load.ts", import.meta.url).pathname,
      JSON.stringify(spec),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("Cannot run the load generator");
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!) as LoadResult;
}

/** Prints a line of benchmark output. */
export function report(line = ""): void {
  // deno-lint-ignore no-console
  console.log(line);
}
