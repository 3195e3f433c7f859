/**
 * The check-settings form without the DOM: each parameter edited as text (a
 * number, a pattern, or one item per line) and read back into the value the API
 * takes, with the same bounds the server enforces so most mistakes show before
 * saving.
 *
 * @module
 */
import type { CheckParameter, CheckSettingsInput } from "./analysis_api.ts";

/** A parameter's value read from its text, or why it cannot be. */
export type ParsedParameter = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * A parameter's value as the form shows it: role pairs as `role_a, role_b` and
 * lists one item per line.
 *
 * @param parameter the parameter
 * @param value the value to show (default: the value runs use now)
 * @returns the text
 */
export function parameterText(parameter: CheckParameter, value: unknown = parameter.value): string {
  switch (parameter.kind) {
    case "string_list":
      return (value as string[]).join("\n");
    case "role_pairs":
      return (value as [string, string][]).map(([a, b]) => `${a}, ${b}`).join("\n");
    default:
      return String(value);
  }
}

/**
 * Reads a parameter's text back, checked against its bounds.
 *
 * @param parameter the parameter
 * @param text what the user typed
 * @returns the value, or a message saying what is wrong
 */
export function parseParameterText(parameter: CheckParameter, text: string): ParsedParameter {
  const bounds = parameter.bounds as {
    min?: number;
    max?: number;
    minItems?: number;
    maxItems?: number;
    itemPattern?: string;
    maxLength?: number;
  };
  const trimmed = text.trim();
  switch (parameter.kind) {
    case "integer":
    case "number": {
      const value = Number(trimmed);
      const whole = parameter.kind === "integer";
      const range = `from ${bounds.min} to ${bounds.max}`;
      if (trimmed === "" || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
        return { ok: false, error: `Enter ${whole ? "a whole number" : "a number"} ${range}.` };
      }
      if (
        (bounds.min !== undefined && value < bounds.min) ||
        (bounds.max !== undefined && value > bounds.max)
      ) {
        return { ok: false, error: `Must be ${range}.` };
      }
      return { ok: true, value };
    }
    case "pattern": {
      if (trimmed === "") return { ok: false, error: "Enter a pattern." };
      if (bounds.maxLength !== undefined && trimmed.length > bounds.maxLength) {
        return { ok: false, error: `At most ${bounds.maxLength} characters.` };
      }
      return { ok: true, value: trimmed };
    }
    case "string_list": {
      const items = lines(text);
      const count = countError(items.length, bounds);
      if (count) return { ok: false, error: count };
      const pattern = bounds.itemPattern ? new RegExp(bounds.itemPattern) : null;
      const bad = pattern ? items.find((item) => !pattern.test(item)) : undefined;
      if (bad !== undefined) return { ok: false, error: `"${bad}" is not a valid entry.` };
      return { ok: true, value: items };
    }
    case "role_pairs": {
      const items = lines(text);
      const count = countError(items.length, bounds);
      if (count) return { ok: false, error: count };
      const pairs: [string, string][] = [];
      for (const item of items) {
        const parts = item.split(",").map((part) => part.trim());
        if (parts.length !== 2 || !parts[0] || !parts[1]) {
          return {
            ok: false,
            error: `"${item}" is not a pair: write two roles as role_a, role_b.`,
          };
        }
        pairs.push([parts[0], parts[1]]);
      }
      return { ok: true, value: pairs };
    }
    default:
      return { ok: false, error: `Parameters of kind ${parameter.kind} cannot be edited here.` };
  }
}

/**
 * The change to send when the form is saved: `enabled` when it changed, and the
 * parameter overrides — those already set plus every parameter whose value now
 * differs from what runs use. Nothing is sent while any field has an error.
 *
 * @param parameters the check's parameters as loaded
 * @param enabled whether the check was enabled when loaded
 * @param form the form's state
 * @returns the change (null when there is nothing to save) or the field errors
 */
export function settingsChange(
  parameters: readonly CheckParameter[],
  enabled: boolean,
  form: { enabled: boolean; texts: Record<string, string> },
): { change: CheckSettingsInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const overrides: Record<string, unknown> = {};
  let parametersChanged = false;
  for (const parameter of parameters) {
    const parsed = parseParameterText(
      parameter,
      form.texts[parameter.name] ?? parameterText(parameter),
    );
    if (!parsed.ok) {
      errors[parameter.name] = parsed.error;
      continue;
    }
    const changed = JSON.stringify(parsed.value) !== JSON.stringify(parameter.value);
    if (changed) parametersChanged = true;
    if (changed || parameter.overridden) overrides[parameter.name] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { change: null, errors };
  const change: CheckSettingsInput = {};
  if (form.enabled !== enabled) change.enabled = form.enabled;
  if (parametersChanged) change.parameters = overrides;
  return { change: Object.keys(change).length > 0 ? change : null, errors };
}

function lines(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

function countError(
  count: number,
  bounds: { minItems?: number; maxItems?: number },
): string | null {
  if (bounds.minItems !== undefined && count < bounds.minItems) {
    return `Enter at least ${bounds.minItems} ${bounds.minItems === 1 ? "entry" : "entries"}.`;
  }
  if (bounds.maxItems !== undefined && count > bounds.maxItems) {
    return `At most ${bounds.maxItems} entries.`;
  }
  return null;
}
