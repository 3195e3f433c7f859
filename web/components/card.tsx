import type { ComponentChildren, JSX } from "preact";
import { cx } from "../lib/cx.ts";

/** Props of {@linkcode Card}. */
export interface CardProps {
  /** Heading of the card (an h2 unless `headingLevel` says otherwise). */
  title?: ComponentChildren;
  description?: ComponentChildren;
  /** Buttons or links in the header's right corner. */
  actions?: ComponentChildren;
  /** Content under a divider at the bottom, e.g. the form's submit button. */
  footer?: ComponentChildren;
  headingLevel?: 2 | 3;
  /** Removes the body padding (for tables that run edge to edge). */
  flush?: boolean;
  class?: string;
  children?: ComponentChildren;
  id?: string;
}

/**
 * A surface that groups related content, with an optional header and footer.
 *
 * @example
 * <Card title="Organization" description="How your organization appears to members.">…</Card>
 */
export function Card(props: CardProps): JSX.Element {
  const Heading = props.headingLevel === 3 ? "h3" : "h2";
  const hasHeader = props.title || props.description || props.actions;
  return (
    <section
      id={props.id}
      class={cx("rounded-lg border border-line bg-surface shadow-xs", props.class)}
    >
      {hasHeader && (
        <header class="flex flex-wrap items-start justify-between gap-3 border-b border-line px-5 py-4">
          <div class="min-w-0 space-y-1">
            {props.title && (
              <Heading class="text-base font-semibold text-fg">{props.title}</Heading>
            )}
            {props.description && <p class="text-sm text-fg-muted">{props.description}</p>}
          </div>
          {props.actions && <div class="flex shrink-0 items-center gap-2">{props.actions}</div>}
        </header>
      )}
      <div class={cx("flex-1", !props.flush && "px-5 py-4")}>{props.children}</div>
      {props.footer && (
        <footer class="flex flex-wrap items-center justify-end gap-2 rounded-b-lg border-t border-line bg-surface-muted px-5 py-3">
          {props.footer}
        </footer>
      )}
    </section>
  );
}
