import type { JSX } from "preact";
import { useId, useLayoutEffect, useRef } from "preact/hooks";
import { ChevronDown } from "lucide";
import { cx } from "../lib/cx.ts";
import { controlClass, Field, type FieldProps } from "./field.tsx";
import { Icon } from "./icon.tsx";

/** One choice of a {@linkcode Select}. */
export interface SelectOption<V extends string = string> {
  value: V;
  label: string;
  disabled?: boolean;
}

/** Props of {@linkcode Select}. */
export interface SelectProps<V extends string> extends FieldProps {
  id?: string;
  name?: string;
  disabled?: boolean;
  required?: boolean;
  value: V;
  options: ReadonlyArray<SelectOption<V>>;
  onValue: (value: V) => void;
  size?: "sm" | "md";
  class?: string;
}

/**
 * A labelled native select (native for keyboard and screen-reader behaviour users already know).
 *
 * @example
 * <Select label="Role" value={role} options={roleOptions} onValue={setRole} />
 */
export function Select<V extends string>(props: SelectProps<V>): JSX.Element {
  const {
    label,
    hint,
    error,
    optional,
    hideLabel,
    value,
    options,
    onValue,
    size = "md",
    class: className,
    id,
    ...rest
  } = props;
  const generated = useId();
  const selectId = id ?? `sel-${generated}`;
  const ref = useRef<HTMLSelectElement>(null);
  // Keep the DOM on the controlled value: when a change is refused the parent
  // re-renders with the old value, which Preact alone would not write back.
  useLayoutEffect(() => {
    if (ref.current && ref.current.value !== value) ref.current.value = value;
  });
  return (
    <Field
      id={selectId}
      label={label}
      hint={hint}
      error={error}
      optional={optional}
      hideLabel={hideLabel}
      class={className}
    >
      {(describedBy) => (
        <div class="relative">
          <select
            id={selectId}
            ref={ref}
            class={cx(
              controlClass(Boolean(error)),
              "appearance-none pr-8",
              size === "sm" ? "h-8 text-xs" : "h-9",
            )}
            value={value}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={describedBy}
            onChange={(event) => onValue((event.currentTarget as HTMLSelectElement).value as V)}
            {...rest}
          >
            {options.map((option) => (
              <option key={option.value} value={option.value} disabled={option.disabled}>
                {option.label}
              </option>
            ))}
          </select>
          <Icon
            icon={ChevronDown}
            class="pointer-events-none absolute right-2.5 top-1/2 size-4 -translate-y-1/2 text-fg-muted"
          />
        </div>
      )}
    </Field>
  );
}
