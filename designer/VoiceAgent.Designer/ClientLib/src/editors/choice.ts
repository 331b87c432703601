import { h } from "../dom";
import type { TextKey } from "../texts";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

export function choiceEditor(context: EditorContext): HTMLElement {
  const current = displayValue(context.value ?? context.input.default ?? undefined);
  const label = (value: string) => {
    const text = context.texts(`choice.${value}` as TextKey);
    return text.startsWith("choice.") ? value : text;
  };
  const values = [...(context.input.options ?? [])];
  if (current !== "" && !values.includes(current)) {
    values.push(current);
  }
  const control = h(
    "select",
    { class: "form-select form-select-sm", id: context.id, "aria-describedby": context.describedBy },
    ...values.map((v) => h("option", { value: v, selected: v === current }, label(v))),
  );
  control.value = current;
  control.addEventListener("change", () => context.commit(control.value === "" ? undefined : control.value));
  return control;
}
