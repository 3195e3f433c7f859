const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type=hidden])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "[tabindex]:not([tabindex='-1'])",
  "summary",
].join(",");

/** Elements inside `root` that Tab can reach, in document order. */
export function focusableWithin(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.hasAttribute("inert") && el.getClientRects().length > 0,
  );
}

/**
 * Keeps Tab and Shift+Tab cycling inside `root` (a keydown handler for the dialog).
 *
 * @param root the dialog element
 * @param event the keydown event
 */
export function trapTab(root: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== "Tab") return;
  const items = focusableWithin(root);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  const active = root.ownerDocument.activeElement;
  if (event.shiftKey && (active === first || !root.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !root.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Moves focus into a newly opened dialog: the element marked `data-autofocus`,
 * else the first field, else the first focusable element, else the dialog itself.
 *
 * @param root the dialog element
 */
export function focusInitial(root: HTMLElement): void {
  const marked = root.querySelector<HTMLElement>("[data-autofocus]");
  const field = root.querySelector<HTMLElement>(
    "input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])",
  );
  const target = marked ?? field ?? focusableWithin(root)[0] ?? root;
  target.focus();
}
