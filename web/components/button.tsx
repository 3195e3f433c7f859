import type { ButtonHTMLAttributes, ComponentChildren, JSX } from "preact";
import type { IconNode } from "lucide";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";
import { Spinner } from "./loader.tsx";

/** Visual weight of a button. */
export type ButtonVariant = "primary" | "secondary" | "ghost" | "danger";

/** Props of {@linkcode Button}. */
export interface ButtonProps
  extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "icon" | "loading" | "size"> {
  variant?: ButtonVariant;
  size?: "sm" | "md" | "lg";
  /** Shows a spinner, sets aria-busy and blocks clicks. */
  loading?: boolean;
  icon?: IconNode;
  /** Renders a link that looks like a button. */
  href?: string;
  children?: ComponentChildren;
}

const VARIANTS: Record<ButtonVariant, string> = {
  primary:
    "bg-accent text-accent-fg shadow-sm hover:bg-brand-700 dark:hover:bg-brand-300 disabled:opacity-60",
  secondary:
    "border border-line bg-surface text-fg shadow-sm hover:bg-surface-muted disabled:opacity-60",
  ghost: "text-fg-muted hover:bg-surface-muted hover:text-fg disabled:opacity-60",
  danger:
    "bg-red-700 text-white shadow-sm hover:bg-red-800 dark:bg-red-400 dark:text-red-950 dark:hover:bg-red-300 disabled:opacity-60",
};

const SIZES = {
  sm: "h-8 gap-1.5 px-2.5 text-xs",
  md: "h-9 gap-2 px-3.5 text-sm",
  lg: "h-11 gap-2 px-5 text-base",
};

/** Classes of a button, for elements that must look like one. */
export function buttonClass(
  variant: ButtonVariant = "primary",
  size: "sm" | "md" | "lg" = "md",
): string {
  return cx(
    "inline-flex select-none items-center justify-center rounded-md font-medium transition-colors disabled:cursor-not-allowed",
    VARIANTS[variant],
    SIZES[size],
  );
}

/**
 * A button (or a link styled as one with `href`).
 *
 * @example
 * <Button variant="primary" loading={saving.value} type="submit">Save changes</Button>
 */
export function Button(props: ButtonProps): JSX.Element {
  const {
    variant = "primary",
    size = "md",
    loading = false,
    icon,
    href,
    children,
    class: className,
    disabled,
    type,
    ...rest
  } = props;
  const classes = cx(buttonClass(variant, size), className as string | undefined);
  const content = (
    <>
      {loading ? <Spinner class="size-4" /> : icon ? <Icon icon={icon} /> : null}
      {children}
    </>
  );
  if (href) {
    return (
      <a href={href} class={classes}>
        {content}
      </a>
    );
  }
  return (
    <button
      type={type ?? "button"}
      class={classes}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...rest}
    >
      {content}
    </button>
  );
}
