/**
 * The iframe-able embed page: the widget's JSON drawn as plain HTML on the
 * server — no script, no app chrome, a few hundred bytes of CSS — in the light
 * or dark scheme (the viewer's preference, or `?theme=`).
 *
 * @module
 */

import type { WidgetData } from "./data.ts";

function esc(value: unknown): string {
  return String(value ?? "—").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

type Row = Record<string, unknown>;

function table(rows: Row[], columns: [string, string][]): string {
  if (rows.length === 0) return `<p class="muted">Nothing to show yet.</p>`;
  const head = columns.map(([, label]) => `<th scope="col">${esc(label)}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${columns.map(([key]) => `<td>${esc(r[key])}</td>`).join("")}</tr>`
  ).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function counts(map: Record<string, number>): string {
  const rows = Object.entries(map).map(([k, v]) => ({ k, v }));
  return table(rows, [["k", "Category"], ["v", "Count"]]);
}

/** The body of one template's data. */
function body(w: WidgetData): string {
  const d = w.data as Row;
  switch (w.template) {
    case "score_gauge":
      return `<p class="big">${esc(d.score)}<span class="muted">/100</span></p>
<p class="muted">${esc(d.passed)} passed · ${esc(d.failed)} failed</p>`;
    case "score_trend": {
      const points = d.points as Row[];
      return points.length === 0
        ? `<p class="muted">No analysis runs in this period.</p>`
        : table(points.map((p) => ({ ...p, at: String(p.at).slice(0, 10) })), [
          ["at", "Run"],
          ["score", "Score"],
        ]);
    }
    case "severity_breakdown":
      return `<p class="big">${esc(d.total)}</p>${counts(d.by_severity as Record<string, number>)}`;
    case "framework_readiness":
      return table(d.frameworks as Row[], [["name", "Framework"], ["score", "Score"]]);
    case "top_failing_checks":
      return table(d.checks as Row[], [
        ["title", "Check"],
        ["severity", "Severity"],
        ["affected_resources", "Resources"],
      ]);
    case "instance_table":
      return table(d.instances as Row[], [
        ["name", "Instance"],
        ["score", "Score"],
        ["failing_findings", "Failing"],
      ]);
    case "findings_count":
      return `<p class="big">${esc(d.count)}</p><p class="muted">of ${esc(d.total)} findings</p>`;
    case "sync_health":
      return table(d.instances as Row[], [
        ["name", "Instance"],
        ["last_sync_status", "Last sync"],
        ["sync_failures_30d", "Failures (30 d)"],
      ]);
    default:
      return `<pre>${esc(JSON.stringify(d, null, 2))}</pre>`;
  }
}

const CSS = `:root{color-scheme:light dark;--fg:#1a1d23;--bg:#fff;--muted:#5b6270;--line:#d8dce3}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaef;--bg:#14161a;--muted:#a3a9b5;--line:#343842}}
:root[data-theme=light]{color-scheme:light;--fg:#1a1d23;--bg:#fff;--muted:#5b6270;--line:#d8dce3}
:root[data-theme=dark]{color-scheme:dark;--fg:#e8eaef;--bg:#14161a;--muted:#a3a9b5;--line:#343842}
body{margin:0;padding:12px;font:14px/1.4 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:15px;margin:0 0 8px}.big{font-size:40px;font-weight:700;margin:4px 0}
.muted{color:var(--muted)}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line)}footer{margin-top:8px;font-size:12px}`;

/**
 * The embed page for a widget's data.
 *
 * @param name the widget's name, as its heading
 * @param w the widget's data
 * @param theme `light`, `dark`, or null for the viewer's preference
 */
export function renderEmbedPage(name: string, w: WidgetData, theme: string | null): string {
  const themeAttr = theme === "light" || theme === "dark" ? ` data-theme="${theme}"` : "";
  return `<!doctype html><html lang="en"${themeAttr}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(name)}</title>
<style>${CSS}</style></head><body><main><h1>${esc(name)}</h1>${body(w)}
<footer class="muted">${esc(w.title)} · updated ${
    esc(w.generated_at.slice(0, 16).replace("T", " "))
  } UTC</footer></main></body></html>`;
}

/**
 * The page's Content-Security-Policy: nothing loads but its inline style, and
 * only the organization's allowed origins may frame it (none: `'none'`).
 *
 * @param origins the allow-list
 */
export function embedCsp(origins: readonly string[]): string {
  const ancestors = origins.length > 0 ? origins.join(" ") : "'none'";
  return `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${ancestors}`;
}
