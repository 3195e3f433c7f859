import type { IconNode } from "lucide";
import type { JSX } from "preact";
import { cx } from "../lib/cx.ts";

/** Props of {@linkcode Icon}. */
export interface IconProps {
  /** A lucide icon, e.g. `import { ShieldCheck } from "lucide"`. */
  icon: IconNode;
  class?: string;
  /** Accessible name; without it the icon is decorative and hidden from assistive tech. */
  label?: string;
}

/**
 * Renders a lucide icon as inline SVG that inherits the text colour.
 *
 * @example
 * <Icon icon={ShieldCheck} class="size-4" />
 */
export function Icon({ icon, class: className, label }: IconProps): JSX.Element {
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width={2}
      stroke-linecap="round"
      stroke-linejoin="round"
      class={cx("shrink-0", className ?? "size-4")}
      aria-hidden={label ? undefined : "true"}
      role={label ? "img" : undefined}
      aria-label={label}
      focusable="false"
    >
      {icon.map(([tag, attrs], index) => {
        const Tag = tag as "path";
        return <Tag key={index} {...(attrs as Record<string, string>)} />;
      })}
    </svg>
  );
}
