import type { JsonValue } from "../contract";
import { h } from "../dom";
import type { TextKey } from "../texts";
import type { EditorContext } from "./editor-context";

const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const interval = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;

/** Opening hours per weekday, stored as { "mon": ["09:00-12:00", "13:00-17:00"], …, "sun": [] }. */
export function businessHoursEditor(context: EditorContext): HTMLElement {
  const source = (context.value ?? context.input.default ?? {}) as Record<string, JsonValue>;
  const error = h("div", { class: "invalid-feedback d-block", hidden: true, role: "alert" }, context.texts("editor.hoursInvalid"));
  const fields = days.map((day, index) => {
    const current = Array.isArray(source[day]) ? (source[day] as JsonValue[]).map(String).join(", ") : "";
    const dayName = context.texts(`day.${day}` as TextKey);
    const input = h("input", {
      type: "text",
      class: "form-control form-control-sm",
      id: index === 0 ? context.id : `${context.id}-${day}`,
      value: current,
      placeholder: context.texts("editor.closed"),
      "aria-label": dayName,
      "aria-describedby": context.describedBy,
      autocomplete: "off",
    });
    return { day, dayName, input };
  });

  function read(): Record<string, JsonValue> | null {
    const result: Record<string, JsonValue> = {};
    let valid = true;
    for (const f of fields) {
      const parts = f.input.value
        .split(",")
        .map((p) => p.replace(/\s+/g, ""))
        .filter((p) => p !== "");
      const ok = parts.every((p) => interval.test(p) && p.slice(0, 5) < p.slice(6));
      f.input.classList.toggle("is-invalid", !ok);
      f.input.setAttribute("aria-invalid", ok ? "false" : "true");
      valid &&= ok;
      result[f.day] = parts;
    }
    error.hidden = valid;
    return valid ? result : null;
  }

  for (const f of fields) {
    f.input.addEventListener("change", () => {
      const value = read();
      if (value) {
        context.commit(value);
      }
    });
  }

  return h(
    "div",
    { role: "group", "aria-labelledby": context.labelId, class: "va-hours" },
    ...fields.map((f) => h("div", { class: "va-hours-row" }, h("label", { for: f.input.id, class: "va-hours-day" }, f.dayName), f.input)),
    h("div", { class: "form-hint" }, context.texts("editor.hoursHint")),
    error,
  );
}
