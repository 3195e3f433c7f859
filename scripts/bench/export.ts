// deno task bench export [--findings N] [--small N] [--formats pdf,xlsx,csv,json]
// Renders N findings with evidence (default 100,000) as PDF, XLSX and CSV, and
// serialises the same rows to JSON as the baseline, each in its own process:
// wall time, records/s and peak RSS. Then the same at --small (default 10,000)
// to show whether memory stays flat as findings grow (within 20%).
import { report } from "./_harness.ts";

const arg = (name: string, fallback: string) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1]! : fallback;
};
const findings = Number(arg("findings", "100000"));
const small = Number(arg("small", "10000"));
const formats = arg("formats", "pdf,xlsx,csv,json").split(",");

interface One {
  format: string;
  findings: number;
  seconds: number;
  bytes: number;
  peak_rss_mb: number;
}

async function measure(format: string, n: number): Promise<One> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_export_one.ts", import.meta.url).pathname, format, String(n)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Cannot render ${n} findings as ${format}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!) as One;
}

const results: Record<string, { small: One; large: One }> = {};
report(
  `export benchmark: ${findings.toLocaleString("en-US")} findings (memory compared with ${
    small.toLocaleString("en-US")
  })`,
);
report("format   findings   seconds   records/s   MB out   peak RSS MB   RSS small→large");
for (const format of formats) {
  const s = await measure(format, small);
  const l = await measure(format, findings);
  results[format] = { small: s, large: l };
  const growth = (l.peak_rss_mb / s.peak_rss_mb - 1) * 100;
  report(
    `${format.padEnd(8)} ${String(l.findings).padStart(8)} ${l.seconds.toFixed(2).padStart(9)} ${
      Math.round(l.findings / l.seconds).toString().padStart(11)
    } ${(l.bytes / 2 ** 20).toFixed(1).padStart(8)} ${l.peak_rss_mb.toFixed(0).padStart(13)}   ${
      growth >= 0 ? "+" : ""
    }${growth.toFixed(0)}% ${Math.abs(growth) <= 20 ? "(flat)" : "(grows)"}`,
  );
}
const json = results.json?.large.seconds ?? null;
for (const format of formats) {
  if (format !== "json" && json) {
    report(`${format}: ${(results[format]!.large.seconds / json).toFixed(1)}× the time of JSON`);
  }
}
const peak = Math.max(...Object.values(results).map((r) => r.large.peak_rss_mb));
report(JSON.stringify({
  bench: "export",
  findings,
  pdf_s: results.pdf?.large.seconds ?? null,
  xlsx_s: results.xlsx?.large.seconds ?? null,
  csv_s: results.csv?.large.seconds ?? null,
  json_s: json,
  peak_rss_mb: Math.round(peak),
  rss_growth: Object.fromEntries(
    Object.entries(results).map((
      [f, r],
    ) => [f, Number((r.large.peak_rss_mb / r.small.peak_rss_mb).toFixed(2))]),
  ),
}));
