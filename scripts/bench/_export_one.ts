// One export measured in its own process: `deno run -A _export_one.ts <format> <findings>`.
// Findings with evidence are generated on the fly (as the database pages them),
// rendered into a sink that only counts bytes; prints JSON with the wall time,
// the bytes written and the peak RSS sampled every 20 ms.
import type { ReportContent, ReportFinding } from "../../shared/reports/mod.ts";
import { renderCsv, renderJson, renderPdf, renderXlsx } from "../../shared/reports/mod.ts";

const [format, countText] = Deno.args;
const count = Number(countText);
const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const;
const CHECKS = 40;

function finding(i: number): ReportFinding {
  const severity = SEVERITIES[Math.min(4, Math.floor((i / count) * 5))]!;
  const check = Math.floor((i / count) * CHECKS);
  return {
    id: crypto.randomUUID(),
    run_id: "00000000-0000-4000-8000-000000000001",
    instance_id: "00000000-0000-4000-8000-000000000002",
    check_id: `bench_check_${check}`,
    check_title: `Benchmark check ${check}: accounts with privileged roles reviewed`,
    severity,
    area: "identity",
    family: "behavioural",
    frameworks: ["soc2_2017", "iso_27001_2022"],
    resource_key: `sys_user:${i.toString(16).padStart(32, "0")}`,
    table_name: "sys_user",
    sys_id: i.toString(16).padStart(32, "0"),
    record_url: `https://bench.service-now.com/sys_user.do?sys_id=${
      i.toString(16).padStart(32, "0")
    }`,
    status: "FAIL",
    delta: i % 7 === 0 ? "new" : "unchanged",
    evidence: {
      user_name: `user.${i}`,
      name: `Zoë Müller-Łukasz ${i}`,
      roles: "admin,security_admin",
      last_login_time: "2026-01-02 03:04:05",
      active: "true",
    },
    first_seen_at: new Date(1_760_000_000_000 + i * 1000),
    last_seen_at: new Date(1_765_000_000_000),
    current_status: "open",
    reopened_count: i % 3,
    triage_state: "open",
    suppression_id: null,
    muted: false,
    remediation: "Review the account's roles and remove those it does not need.",
  };
}

const content: ReportContent = {
  meta: {
    title: "Benchmark report",
    organization: { id: "o", name: "Bench Org" },
    instance: { id: "i", name: "bench", url: "https://bench.service-now.com" },
    run: {
      id: "r",
      trigger: "manual",
      status: "succeeded",
      evaluated_at: new Date(),
      finished_at: new Date(),
      previous_run_id: null,
    },
    framework: null,
    generated_at: new Date(),
    generated_by: { id: "u", email: "bench@example.com" },
    catalog_version: "c-bench",
    scope: { org_id: "o", instance_id: "i", filters: {} },
    sections: ["findings"],
  },
  summary: null,
  attestation: null,
  changes: null,
  suppressions: null,
  coverage: null,
  expected_findings: count,
  async *findings() {
    for (let i = 0; i < count; i++) {
      if (i % 200 === 0) await Promise.resolve(); // a page boundary, as the database yields
      yield finding(i);
    }
  },
};

let peak = Deno.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, Deno.memoryUsage().rss);
}, 20);
let bytes = 0;
const sink = {
  write(chunk: Uint8Array) {
    bytes += chunk.length;
  },
};
const started = performance.now();
const render = { pdf: renderPdf, xlsx: renderXlsx, csv: renderCsv, json: renderJson }[format!]!;
await render(content, sink);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, Deno.memoryUsage().rss);
// deno-lint-ignore no-console
console.log(
  JSON.stringify({ format, findings: count, seconds, bytes, peak_rss_mb: peak / 2 ** 20 }),
);
