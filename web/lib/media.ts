/**
 * Media queries as component state.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";

/** Narrower than Tailwind's `sm` breakpoint (640 px): a phone held upright. */
export const PHONE_QUERY = "(max-width: 639.98px)";

/**
 * Whether `query` matches, kept up to date as the viewport changes; false
 * outside a browser.
 *
 * @param query a media query, e.g. {@linkcode PHONE_QUERY}
 */
export function useMediaQuery(query: string): boolean {
  const media = () => (typeof matchMedia === "function" ? matchMedia(query) : null);
  const [matches, setMatches] = useState(() => media()?.matches ?? false);
  useEffect(() => {
    const list = media();
    if (!list) return;
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener("change", update);
    return () => list.removeEventListener("change", update);
  }, [query]);
  return matches;
}
