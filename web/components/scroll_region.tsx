import type { ComponentChildren, JSX, RefObject } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { cx } from "../lib/cx.ts";

/**
 * Whether the element's content is wider than the element, kept up to date as
 * either is resized (viewport, drawer width, rows added…).
 *
 * @param ref the scrolling element
 */
export function useHorizontalOverflow(ref: RefObject<HTMLElement | null>): boolean {
  const [overflows, setOverflows] = useState(false);
  const measure = () => {
    const element = ref.current;
    // One pixel of slack: sub-pixel widths must not make a region focusable.
    if (element) setOverflows(element.scrollWidth > element.clientWidth + 1);
  };
  useLayoutEffect(() => {
    const element = ref.current;
    measure();
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of Array.from(element.children)) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  // Content replaced without a resize of the observed elements: measure after each render.
  useEffect(measure);
  return overflows;
}

/** Props of {@linkcode ScrollRegion}. */
export interface ScrollRegionProps {
  /** Names the region for screen readers while it scrolls, e.g. the table's caption. */
  label: string;
  class?: string;
  children: ComponentChildren;
}

/**
 * A container that scrolls horizontally when its content is too wide. While it
 * overflows it is a labelled region in the Tab order, so keyboard users can
 * scroll it with the arrow keys (WCAG 2.1.1; axe `scrollable-region-focusable`);
 * when everything fits it adds no Tab stop.
 *
 * @example
 * <ScrollRegion label="First matching records"><table>…</table></ScrollRegion>
 */
export function ScrollRegion(props: ScrollRegionProps): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const scrollable = useHorizontalOverflow(ref);
  return (
    <div
      ref={ref}
      // Relative: visually hidden text in a cell (absolutely positioned) stays
      // inside the region instead of widening the page.
      class={cx("relative overflow-x-auto", props.class)}
      {...(scrollable ? { tabIndex: 0, role: "region", "aria-label": props.label } : {})}
    >
      {props.children}
    </div>
  );
}
