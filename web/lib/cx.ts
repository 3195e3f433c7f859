/**
 * Joins class names, skipping falsy values.
 *
 * @example
 * cx("btn", active && "btn-active") // "btn btn-active" or "btn"
 */
export function cx(...names: Array<string | false | null | undefined>): string {
  return names.filter(Boolean).join(" ");
}
