import type { ComponentChildren, JSX } from "preact";
import type { IconNode } from "lucide";
import { Inbox } from "lucide";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";

/** Props of {@linkcode EmptyState}. */
export interface EmptyStateProps {
  title: string;
  description?: ComponentChildren;
  icon?: IconNode;
  /** The next step, usually a button. */
  action?: ComponentChildren;
  tone?: "neutral" | "error";
  /** Element of the title: "h1" when the empty state is the whole page, "h2" inside a page section. */
  titleAs?: "h1" | "h2" | "p";
  class?: string;
}

/**
 * What to show when there is nothing (or when loading failed): says why and offers the next step.
 *
 * @example
 * <EmptyState title="No members yet" description="Add a teammate by email." action={<Button>Add member</Button>} />
 */
export function EmptyState(props: EmptyStateProps): JSX.Element {
  const error = props.tone === "error";
  const Title = props.titleAs ?? "p";
  return (
    <div
      class={cx("flex flex-col items-center justify-center px-6 py-12 text-center", props.class)}
      role={error ? "alert" : undefined}
    >
      <div
        class={cx(
          "mb-4 flex size-12 items-center justify-center rounded-full",
          error
            ? "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300"
            : "bg-accent-soft text-accent-text",
        )}
      >
        <Icon icon={props.icon ?? Inbox} class="size-6" />
      </div>
      <Title class="text-base font-semibold text-fg">{props.title}</Title>
      {props.description && (
        <div class="mt-1 max-w-md text-sm text-fg-muted">{props.description}</div>
      )}
      {props.action && <div class="mt-5 flex flex-wrap justify-center gap-2">{props.action}</div>}
    </div>
  );
}
