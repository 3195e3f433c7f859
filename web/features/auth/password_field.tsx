import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Eye, EyeOff } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { Input } from "../../components/input.tsx";
import { cx } from "../../lib/cx.ts";
import { passwordStrength } from "../../lib/password.ts";

const BAR_TONES = ["", "bg-red-600", "bg-amber-500", "bg-brand-600", "bg-emerald-600"];

/**
 * A password input with a show/hide toggle and, for new passwords, a strength
 * meter whose verdict is announced politely as the user types.
 *
 * @example
 * <PasswordField label="Password" value={pw} onValue={setPw} autoComplete="new-password" showStrength />
 */
export function PasswordField(
  props: {
    label: string;
    value: string;
    onValue: (value: string) => void;
    autoComplete: "current-password" | "new-password";
    showStrength?: boolean;
    /** Words the password should not contain, e.g. the email. */
    context?: string[];
    error?: string | null;
    name?: string;
  },
): JSX.Element {
  const [visible, setVisible] = useState(false);
  const strength = passwordStrength(props.value, props.context);
  const hint = props.showStrength
    ? (
      <div class="space-y-1.5">
        <div class="flex gap-1" aria-hidden="true">
          {[1, 2, 3, 4].map((step) => (
            <span
              key={step}
              class={cx(
                "h-1 flex-1 rounded-full",
                strength.score >= step ? BAR_TONES[strength.score] : "bg-surface-sunken",
              )}
            />
          ))}
        </div>
        <p aria-live="polite" class="text-xs text-fg-muted">
          {strength.label
            ? (
              <>
                <span class="font-medium text-fg">Strength: {strength.label}.</span>{" "}
                {strength.hints[0] ?? ""}
              </>
            )
            : "Use at least 10 characters. A short sentence is easy to remember and hard to guess."}
        </p>
      </div>
    )
    : undefined;
  return (
    <Input
      label={props.label}
      name={props.name ?? "password"}
      type={visible ? "text" : "password"}
      value={props.value}
      onValue={props.onValue}
      autoComplete={props.autoComplete}
      required
      error={props.error}
      hint={hint}
      spellcheck={false}
      trailing={
        <button
          type="button"
          onClick={() => setVisible(!visible)}
          class="rounded p-1.5 text-fg-muted hover:text-fg"
          aria-label={visible ? "Hide password" : "Show password"}
          aria-pressed={visible}
        >
          <Icon icon={visible ? EyeOff : Eye} />
        </button>
      }
    />
  );
}
