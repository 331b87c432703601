import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

export function singleLineEditor(context: EditorContext): HTMLElement {
  const control = h("input", {
    type: "text",
    class: "form-control form-control-sm",
    value: displayValue(context.value),
    placeholder: displayValue(context.input.default ?? undefined),
    autocomplete: "off",
  });
  bindText(control, context);
  return control;
}
