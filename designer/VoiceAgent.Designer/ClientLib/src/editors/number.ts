import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";
import { parseNumber } from "./parse-number";

export function numberEditor(context: EditorContext): HTMLElement {
  const control = h("input", {
    type: "number",
    class: "form-control form-control-sm",
    value: displayValue(context.value ?? context.input.default ?? undefined),
    step: 1,
    min: 0,
  });
  bindText(control, context, parseNumber);
  return control;
}
