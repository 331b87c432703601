import type { JsonValue } from "../contract";

/** A stored value (or the default) as text for a control; objects and lists as JSON. */
export function displayValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) {
    return "";
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
