import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Chart as ChartJs, ChartConfiguration } from "chart.js";
import { cx } from "../lib/cx.ts";
import { Loader } from "./loader.tsx";

/** Colours a series can take (the palette is tuned for both themes). */
export type ChartTone = "brand" | "success" | "warning" | "danger" | "neutral" | "info";

/** One data series. */
export interface ChartSeries {
  label: string;
  data: number[];
  tone?: ChartTone;
}

/** Props of {@linkcode Chart}. */
export interface ChartProps {
  type: "line" | "bar" | "doughnut";
  /** Accessible name of the chart, also the caption of its data table. */
  title: string;
  /** X-axis labels (slice labels for a doughnut). */
  labels: string[];
  series: ChartSeries[];
  /** Height in pixels (the width follows the container). */
  height?: number;
  stacked?: boolean;
  /**
   * Bars run left to right, their labels on the y axis: long category names
   * (frameworks) stay readable in a narrow tile. Labels longer than about 40%
   * of the chart's width are shortened with an ellipsis; the tooltip and the
   * data table keep the full name.
   */
  horizontal?: boolean;
  /** Formats values in tooltips, axis ticks and the data table. */
  formatValue?: (value: number) => string;
  class?: string;
}

const PALETTE: Record<ChartTone, { light: string; dark: string }> = {
  brand: { light: "#1d55eb", dark: "#7aa2ff" },
  success: { light: "#059669", dark: "#34d399" },
  warning: { light: "#d97706", dark: "#fbbf24" },
  danger: { light: "#dc2626", dark: "#f87171" },
  info: { light: "#0284c7", dark: "#38bdf8" },
  neutral: { light: "#64748b", dark: "#94a3b8" },
};
const DOUGHNUT_ORDER: ChartTone[] = ["danger", "warning", "brand", "success", "info", "neutral"];

let chartModule: Promise<typeof import("chart.js")> | null = null;

/** Loads Chart.js on first use (it is not in the main bundle) and registers what we draw. */
function loadChartJs(): Promise<typeof import("chart.js")> {
  chartModule ??= import("chart.js").then((mod) => {
    mod.Chart.register(
      mod.LineController,
      mod.BarController,
      mod.DoughnutController,
      mod.LineElement,
      mod.PointElement,
      mod.BarElement,
      mod.ArcElement,
      mod.CategoryScale,
      mod.LinearScale,
      mod.Tooltip,
      mod.Legend,
      mod.Filler,
    );
    return mod;
  });
  return chartModule;
}

/** Share of the chart's width the category labels of a horizontal bar chart may take. */
const LABEL_SHARE = 0.4;
/** Average width of a tick label's character at Chart.js' default 12 px font. */
const CHAR_PX = 6.5;

/**
 * A category label cut to at most `maxChars` characters, ending in an ellipsis
 * when cut (at a word boundary when one is near).
 *
 * @param label the full label
 * @param maxChars the most characters the label may take (at least 4)
 */
export function shortenLabel(label: string, maxChars: number): string {
  const max = Math.max(4, Math.floor(maxChars));
  if (label.length <= max) return label;
  const cut = label.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  const word = space >= max * 0.6 ? cut.slice(0, space) : cut;
  return `${word.trimEnd()}…`;
}

/**
 * How many characters a horizontal bar chart's labels may take in a chart
 * `width` pixels wide.
 *
 * @param width the chart's width in pixels
 */
export function labelBudget(width: number): number {
  return Math.max(8, Math.floor((width * LABEL_SHARE) / CHAR_PX));
}

function isDark(): boolean {
  return document.documentElement.classList.contains("dark");
}

function buildConfig(props: ChartProps, dark: boolean): ChartConfiguration {
  const mode = dark ? "dark" : "light";
  const text = dark ? "#aab6ca" : "#475569";
  const grid = dark ? "rgba(148,163,184,0.15)" : "rgba(71,85,105,0.15)";
  const format = props.formatValue ?? ((value: number) => value.toLocaleString());
  const doughnut = props.type === "doughnut";
  const datasets = props.series.map((series, index) => {
    const colour = PALETTE[series.tone ?? (index === 0 ? "brand" : "neutral")][mode];
    if (doughnut) {
      return {
        label: series.label,
        data: series.data,
        backgroundColor: series.data.map((_, i) =>
          PALETTE[DOUGHNUT_ORDER[i % DOUGHNUT_ORDER.length]!][mode]
        ),
        borderColor: dark ? "#101a2d" : "#ffffff",
        borderWidth: 2,
      };
    }
    return {
      label: series.label,
      data: series.data,
      borderColor: colour,
      backgroundColor: props.type === "line" ? `${colour}22` : colour,
      fill: props.type === "line" && props.series.length === 1,
      tension: 0.3,
      pointRadius: 2.5,
      borderRadius: props.type === "bar" ? 4 : 0,
      maxBarThickness: 36,
    };
  });
  return {
    type: props.type,
    data: { labels: props.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 250 },
      plugins: {
        legend: {
          display: doughnut || props.series.length > 1,
          position: "bottom",
          labels: { color: text, boxWidth: 12, usePointStyle: true },
        },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label ?? ""}: ${format(Number(item.raw))}`,
          },
        },
      },
      indexAxis: props.horizontal ? "y" : "x",
      scales: doughnut ? {} : scales(props, text, grid, format),
    },
  } as ChartConfiguration;
}

/** The axes: categories on x (on y for horizontal bars), values from zero on the other. */
function scales(
  props: ChartProps,
  text: string,
  grid: string,
  format: (value: number) => string,
): Record<string, unknown> {
  const values = {
    stacked: props.stacked,
    beginAtZero: true,
    ticks: { color: text, callback: (value: number | string) => format(Number(value)) },
    grid: { color: grid },
  };
  if (!props.horizontal) {
    return {
      x: { stacked: props.stacked, ticks: { color: text }, grid: { display: false } },
      y: values,
    };
  }
  return {
    x: values,
    y: {
      stacked: props.stacked,
      grid: { display: false },
      ticks: {
        color: text,
        autoSkip: false,
        // The full name stays in the tooltip's title and the data table.
        callback(
          this: { getLabelForValue(v: number): string; chart: { width: number } },
          value: number | string,
        ) {
          return shortenLabel(this.getLabelForValue(Number(value)), labelBudget(this.chart.width));
        },
      },
    },
  };
}

/**
 * A chart drawn by Chart.js (loaded lazily), with its data also available as a
 * table for screen readers and keyboard users, and colours that follow the theme.
 *
 * @example
 * <Chart type="line" title="Findings over time" labels={days} series={[{ label: "Open findings", data }]} />
 */
export function Chart(props: ChartProps): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartJs | null>(null);
  const [ready, setReady] = useState(false);
  const [dark, setDark] = useState(() => typeof document !== "undefined" && isDark());

  useEffect(() => {
    const observer = new MutationObserver(() => setDark(isDark()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    let cancelled = false;
    void loadChartJs().then(({ Chart: ChartClass }) => {
      if (cancelled || !canvas.current) return;
      chart.current?.destroy();
      chart.current = new ChartClass(canvas.current, buildConfig(props, dark));
      setReady(true);
    });
    return () => {
      cancelled = true;
    };
  }, [props.type, props.labels, props.series, props.stacked, props.horizontal, dark]);

  useEffect(() => () => chart.current?.destroy(), []);

  const format = props.formatValue ?? ((value: number) => value.toLocaleString());
  return (
    <figure class={cx("space-y-2", props.class)}>
      <div class="relative" style={{ height: `${props.height ?? 240}px` }}>
        {!ready && <Loader label="Drawing chart" class="absolute inset-0" />}
        <canvas ref={canvas} role="img" aria-label={props.title} />
      </div>
      <details class="text-sm text-fg-muted">
        <summary class="cursor-pointer rounded px-1 hover:text-fg">
          View the data behind “{props.title}”
        </summary>
        <div class="mt-2 overflow-x-auto">
          <table class="w-full text-left text-sm">
            <caption class="sr-only">{props.title}</caption>
            <thead>
              <tr class="border-b border-line">
                <th scope="col" class="py-1 pr-4 font-medium">Label</th>
                {props.series.map((s) => (
                  <th key={s.label} scope="col" class="py-1 pr-4 font-medium">{s.label}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.labels.map((label, i) => (
                <tr key={label} class="border-b border-line/60">
                  <th scope="row" class="py-1 pr-4 font-normal">{label}</th>
                  {props.series.map((s) => (
                    <td key={s.label} class="py-1 pr-4 tabular-nums">{format(s.data[i] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
