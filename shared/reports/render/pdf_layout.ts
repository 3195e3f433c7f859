/**
 * A small flowing layout on top of `pdf-lib`: A4 pages with margins, headings,
 * wrapped paragraphs, tables that break across pages and repeat their header,
 * horizontal bar and line charts, and the page furniture (headers, footers,
 * page numbers) drawn once the page count is known. Text uses an embedded
 * Unicode font (DejaVu Sans, subset), so names and evidence in any Latin,
 * Greek or Cyrillic script print as written.
 *
 * @module
 */

import fontkit from "@pdf-lib/fontkit";
import { type PDFDocument, type PDFFont, type PDFPage, type RGB, rgb } from "pdf-lib";

/** A4 in points. */
export const PAGE = { width: 595.28, height: 841.89 };
/** Margins: left/right, and the top and bottom of the content area. */
export const MARGIN = { x: 48, top: 72, bottom: 64 };
/** Content width. */
export const CONTENT_WIDTH = PAGE.width - 2 * MARGIN.x;

/** Colours used by documents. */
export const COLORS = {
  text: rgb(0.11, 0.13, 0.16),
  muted: rgb(0.42, 0.45, 0.5),
  rule: rgb(0.82, 0.84, 0.87),
  headerFill: rgb(0.12, 0.16, 0.22),
  zebra: rgb(0.96, 0.97, 0.98),
  accent: rgb(0.15, 0.39, 0.92),
  pass: rgb(0.09, 0.55, 0.3),
  fail: rgb(0.73, 0.11, 0.11),
  neutral: rgb(0.55, 0.58, 0.62),
};

/** Colours of severities. */
export const SEVERITY_COLORS: Record<string, RGB> = {
  critical: rgb(0.73, 0.11, 0.11),
  high: rgb(0.92, 0.35, 0.05),
  medium: rgb(0.85, 0.55, 0.04),
  low: rgb(0.15, 0.39, 0.92),
  informational: rgb(0.42, 0.45, 0.5),
};

const FONT_DIR = new URL("../../../node_modules/dejavu-fonts-ttf/ttf/", import.meta.url);

/** The regular and bold fonts of a document. */
export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/**
 * Embeds DejaVu Sans (regular and bold), subset to the glyphs used.
 *
 * @param doc the document
 * @returns the fonts
 */
export async function embedFonts(doc: PDFDocument): Promise<Fonts> {
  doc.registerFontkit(fontkit);
  const [regular, bold] = await Promise.all([
    Deno.readFile(new URL("DejaVuSans.ttf", FONT_DIR)),
    Deno.readFile(new URL("DejaVuSans-Bold.ttf", FONT_DIR)),
  ]);
  return {
    regular: await doc.embedFont(regular, { subset: true }),
    bold: await doc.embedFont(bold, { subset: true }),
  };
}

/** One column of a table: header, share of the width, optional colour per cell. */
export interface TableColumn {
  header: string;
  /** Share of the content width (the shares of a table add up to 1). */
  width: number;
  /** Colour of a cell's text, from its value. */
  color?: (value: string) => RGB | undefined;
}

/** Options of a table. */
export interface TableOptions {
  fontSize?: number;
  /** Lines at most per cell; longer text ends in an ellipsis. */
  maxLines?: number;
}

/** Flows content down pages. */
export class Layout {
  /** The current page. */
  page!: PDFPage;
  /** The baseline the next line is drawn at. */
  y = 0;
  readonly #widths = new Map<string, number>();
  readonly #boldWidths = new Map<string, number>();

  /**
   * @param doc the document
   * @param fonts its fonts
   */
  constructor(readonly doc: PDFDocument, readonly fonts: Fonts) {}

  /** Starts a new page and puts the cursor at the top of its content area. */
  newPage(): PDFPage {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - MARGIN.top;
    return this.page;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  /** The width of `text` at `size`, from cached glyph advances. */
  width(text: string, size: number, bold = false): number {
    const cache = bold ? this.#boldWidths : this.#widths;
    const font = bold ? this.fonts.bold : this.fonts.regular;
    let total = 0;
    for (const ch of text) {
      let w = cache.get(ch);
      if (w === undefined) {
        w = font.widthOfTextAtSize(ch, 1);
        cache.set(ch, w);
      }
      total += w;
    }
    return total * size;
  }

  /**
   * Breaks text into lines no wider than `width`.
   *
   * @param text the text (line breaks and tabs become spaces)
   * @param size font size
   * @param width the line width
   * @param maxLines lines at most; the last ends in an ellipsis when text is cut
   * @param bold bold font
   * @returns the lines (at least one)
   */
  wrap(text: string, size: number, width: number, maxLines = Infinity, bold = false): string[] {
    const words = clean(text).split(" ");
    const lines: string[] = [];
    let line = "";
    const push = (l: string) => lines.push(l);
    for (const word of words) {
      const candidate = line ? `${line} ${word}` : word;
      if (this.width(candidate, size, bold) <= width) {
        line = candidate;
        continue;
      }
      if (line) push(line);
      line = "";
      let rest = word;
      while (this.width(rest, size, bold) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && this.width(rest.slice(0, cut), size, bold) > width) cut--;
        push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
      if (lines.length > maxLines) break;
    }
    if (line) push(line);
    if (lines.length === 0) push("");
    if (lines.length > maxLines) {
      const kept = lines.slice(0, maxLines);
      let last = kept[maxLines - 1]!;
      while (last && this.width(`${last}…`, size, bold) > width) last = last.slice(0, -1);
      kept[maxLines - 1] = `${last}…`;
      return kept;
    }
    return lines;
  }

  /** Draws one line of text at the cursor's x offset `x` and baseline `y`. */
  text(
    s: string,
    x: number,
    y: number,
    options: { size?: number; bold?: boolean; color?: RGB } = {},
  ): void {
    this.page.drawText(clean(s), {
      x,
      y,
      size: options.size ?? 10,
      font: options.bold ? this.fonts.bold : this.fonts.regular,
      color: options.color ?? COLORS.text,
    });
  }

  /** A section heading; starts a new page first when `newPage`. */
  heading(s: string, level: 1 | 2 | 3 = 1): void {
    const size = level === 1 ? 18 : level === 2 ? 13 : 11;
    this.ensure(size * 3);
    this.y -= level === 1 ? 4 : 10;
    this.text(s, MARGIN.x, this.y - size, { size, bold: true });
    this.y -= size + (level === 1 ? 14 : 8);
    if (level === 1) {
      this.page.drawLine({
        start: { x: MARGIN.x, y: this.y + 6 },
        end: { x: PAGE.width - MARGIN.x, y: this.y + 6 },
        thickness: 0.8,
        color: COLORS.rule,
      });
      this.y -= 6;
    }
  }

  /** A wrapped paragraph. */
  paragraph(s: string, options: { size?: number; color?: RGB; bold?: boolean } = {}): void {
    const size = options.size ?? 10;
    const lead = size * 1.4;
    for (const line of this.wrap(s, size, CONTENT_WIDTH, Infinity, options.bold)) {
      this.ensure(lead);
      this.text(line, MARGIN.x, this.y - size, { ...options, size });
      this.y -= lead;
    }
    this.y -= size * 0.5;
  }

  /** Label/value pairs in two columns. */
  pairs(rows: [string, string][], labelWidth = 140): void {
    for (const [label, value] of rows) {
      const lines = this.wrap(value, 10, CONTENT_WIDTH - labelWidth);
      this.ensure(lines.length * 14);
      this.text(label, MARGIN.x, this.y - 10, { bold: true, color: COLORS.muted });
      for (const line of lines) {
        this.text(line, MARGIN.x + labelWidth, this.y - 10);
        this.y -= 14;
      }
    }
    this.y -= 6;
  }

  /**
   * Starts a table and returns a function that adds one row. The header is
   * repeated at the top of every page the table continues on.
   */
  table(columns: TableColumn[], options: TableOptions = {}): (cells: string[]) => void {
    const size = options.fontSize ?? 8;
    const lead = size * 1.3;
    const pad = 3;
    const xs: number[] = [];
    let x = MARGIN.x;
    for (const c of columns) {
      xs.push(x);
      x += c.width * CONTENT_WIDTH;
    }
    const headerLines = columns.map((c) =>
      this.wrap(c.header, size, c.width * CONTENT_WIDTH - 2 * pad, 2, true)
    );
    const headerHeight = Math.max(...headerLines.map((l) => l.length)) * lead + 2 * pad;
    const drawHeader = () => {
      this.page.drawRectangle({
        x: MARGIN.x,
        y: this.y - headerHeight,
        width: CONTENT_WIDTH,
        height: headerHeight,
        color: COLORS.headerFill,
      });
      headerLines.forEach((lines, i) =>
        lines.forEach((line, j) =>
          this.text(line, xs[i]! + pad, this.y - pad - size - j * lead, {
            size,
            bold: true,
            color: rgb(1, 1, 1),
          })
        )
      );
      this.y -= headerHeight;
    };
    this.ensure(headerHeight + lead * 2 + 2 * pad);
    drawHeader();
    let index = 0;
    return (cells) => {
      const wrapped = columns.map((c, i) =>
        this.wrap(cells[i] ?? "", size, c.width * CONTENT_WIDTH - 2 * pad, options.maxLines ?? 6)
      );
      const height = Math.max(...wrapped.map((l) => l.length)) * lead + 2 * pad;
      if (this.y - height < MARGIN.bottom) {
        this.newPage();
        drawHeader();
      }
      if (index++ % 2 === 1) {
        this.page.drawRectangle({
          x: MARGIN.x,
          y: this.y - height,
          width: CONTENT_WIDTH,
          height,
          color: COLORS.zebra,
        });
      }
      wrapped.forEach((lines, i) => {
        const color = columns[i]!.color?.(cells[i] ?? "");
        lines.forEach((line, j) =>
          this.text(line, xs[i]! + pad, this.y - pad - size - j * lead, {
            size,
            color,
            bold: color !== undefined,
          })
        );
      });
      this.y -= height;
    };
  }

  /** Ends a table: a little space after it. */
  gap(points = 10): void {
    this.y -= points;
  }

  /**
   * Horizontal bars, one per label, for values from 0 to 100 (null: not scored).
   *
   * @param bars label and value
   */
  barChart(bars: { label: string; value: number | null }[]): void {
    const rowHeight = 16;
    const labelWidth = 170;
    const barWidth = CONTENT_WIDTH - labelWidth - 40;
    for (const bar of bars) {
      this.ensure(rowHeight);
      const top = this.y;
      this.text(this.wrap(bar.label, 9, labelWidth - 6, 1)[0]!, MARGIN.x, top - 11, { size: 9 });
      const x = MARGIN.x + labelWidth;
      this.page.drawRectangle({
        x,
        y: top - 13,
        width: barWidth,
        height: 10,
        color: COLORS.zebra,
        borderColor: COLORS.rule,
        borderWidth: 0.5,
      });
      if (bar.value !== null) {
        this.page.drawRectangle({
          x,
          y: top - 13,
          width: (barWidth * Math.max(0, Math.min(100, bar.value))) / 100,
          height: 10,
          color: scoreColor(bar.value),
        });
      }
      this.text(bar.value === null ? "n/a" : String(bar.value), x + barWidth + 6, top - 11, {
        size: 9,
        bold: true,
      });
      this.y -= rowHeight;
    }
    this.y -= 8;
  }

  /**
   * A line chart of scores over time (0–100 on the y axis).
   *
   * @param points labels (x axis) and values
   * @param height the chart's height in points
   */
  lineChart(points: { label: string; value: number | null }[], height = 140): void {
    this.ensure(height + 30);
    const left = MARGIN.x + 28;
    const width = CONTENT_WIDTH - 40;
    const bottom = this.y - height;
    for (const tick of [0, 25, 50, 75, 100]) {
      const ty = bottom + (height * tick) / 100;
      this.page.drawLine({
        start: { x: left, y: ty },
        end: { x: left + width, y: ty },
        thickness: 0.4,
        color: COLORS.rule,
      });
      this.text(String(tick), MARGIN.x, ty - 3, { size: 7, color: COLORS.muted });
    }
    const step = points.length > 1 ? width / (points.length - 1) : 0;
    let previous: { x: number; y: number } | null = null;
    points.forEach((p, i) => {
      const px = left + (points.length > 1 ? i * step : width / 2);
      if (p.value !== null) {
        const py = bottom + (height * p.value) / 100;
        if (previous) {
          this.page.drawLine({
            start: previous,
            end: { x: px, y: py },
            thickness: 1.5,
            color: COLORS.accent,
          });
        }
        this.page.drawCircle({ x: px, y: py, size: 2.5, color: COLORS.accent });
        this.text(String(p.value), px - 6, py + 5, { size: 7 });
        previous = { x: px, y: py };
      }
      if (points.length <= 12) {
        this.text(p.label, px - 14, bottom - 12, { size: 6.5, color: COLORS.muted });
      }
    });
    this.y = bottom - 24;
  }
}

/** Green from 80, amber from 50, red below. */
export function scoreColor(value: number): RGB {
  return value >= 80 ? COLORS.pass : value >= 50 ? SEVERITY_COLORS.medium! : COLORS.fail;
}

/** Text as one line: control characters and line breaks become spaces. */
export function clean(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}
