import type { PickOption } from "../contract";
import { h } from "../dom";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

/** A select over the tenant's choices (voices, calendars, transfer targets); a stored value not offered stays selectable. */
export function pickSelect(context: EditorContext, choices: readonly PickOption[]): HTMLElement {
  const current = displayValue(context.value);
  const all = [...choices];
  if (current !== "" && !all.some((c) => c.value === current)) {
    all.push({ value: current, label: current });
  }
  const control = h(
    "select",
    { class: "form-select form-select-sm", id: context.id, "aria-describedby": context.describedBy },
    h("option", { value: "" }, context.texts("editor.none")),
    ...all.map((c) => h("option", { value: c.value }, c.label)),
  );
  control.value = current;
  control.addEventListener("change", () => context.commit(control.value === "" ? undefined : control.value));
  return control;
}
