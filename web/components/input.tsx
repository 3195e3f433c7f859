import type { InputHTMLAttributes, JSX, Ref } from "preact";
import { useId } from "preact/hooks";
import { cx } from "../lib/cx.ts";
import { controlClass, Field, type FieldProps } from "./field.tsx";

/** Props of {@linkcode Input}. */
/** Native attributes an {@linkcode Input} passes through. */
export interface NativeInputProps {
  id?: string;
  name?: string;
  type?: "text" | "email" | "password" | "search" | "url" | "tel" | "number";
  value?: string | number;
  placeholder?: string;
  autoComplete?: string;
  required?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number | "any";
  pattern?: string;
  inputMode?: "text" | "email" | "numeric" | "decimal" | "url" | "search" | "tel";
  spellcheck?: boolean;
  autoFocus?: boolean;
  onBlur?: (event: FocusEvent) => void;
  onKeyDown?: (event: KeyboardEvent) => void;
  "data-testid"?: string;
}

/** Props of {@linkcode Input}. */
export interface InputProps extends FieldProps, NativeInputProps {
  /** Called with the new value on every keystroke. */
  onValue?: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
  /** Content after the field, e.g. a "show password" button. */
  trailing?: JSX.Element;
  class?: string;
}

/**
 * A labelled text input with hint and error text.
 *
 * @example
 * <Input label="Work email" type="email" autoComplete="email" value={email} onValue={setEmail} required />
 */
export function Input(props: InputProps): JSX.Element {
  const {
    label,
    hint,
    error,
    optional,
    hideLabel,
    onValue,
    inputRef,
    trailing,
    class: className,
    id,
    ...rest
  } = props;
  const generated = useId();
  const inputId = id ?? `in-${generated}`;
  // Preact 11 types <input> as a union discriminated by `type`; our props are a
  // plain subset of it, which TypeScript cannot narrow to one member.
  const native = rest as unknown as InputHTMLAttributes<HTMLInputElement>;
  return (
    <Field
      id={inputId}
      label={label}
      hint={hint}
      error={error}
      optional={optional}
      hideLabel={hideLabel}
      class={className}
    >
      {(describedBy) => (
        <div class="relative">
          <input
            id={inputId}
            ref={inputRef}
            class={cx(controlClass(Boolean(error)), "h-9", trailing && "pr-10")}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={describedBy}
            onInput={(event) => onValue?.((event.currentTarget as HTMLInputElement).value)}
            {...native}
          />
          {trailing && <div class="absolute inset-y-0 right-1 flex items-center">{trailing}</div>}
        </div>
      )}
    </Field>
  );
}

/** Props of {@linkcode Textarea}. */
export interface TextareaProps extends FieldProps {
  id?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  rows?: number;
  required?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  spellcheck?: boolean;
  onValue?: (value: string) => void;
  class?: string;
}

/** A labelled multi-line text input. */
export function Textarea(props: TextareaProps): JSX.Element {
  const { label, hint, error, optional, hideLabel, onValue, class: className, id, ...rest } = props;
  const generated = useId();
  const inputId = id ?? `ta-${generated}`;
  return (
    <Field
      id={inputId}
      label={label}
      hint={hint}
      error={error}
      optional={optional}
      hideLabel={hideLabel}
      class={className}
    >
      {(describedBy) => (
        <textarea
          id={inputId}
          class={cx(controlClass(Boolean(error)), "min-h-20 py-2")}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy}
          onInput={(event) => onValue?.((event.currentTarget as HTMLTextAreaElement).value)}
          {...rest}
        />
      )}
    </Field>
  );
}
