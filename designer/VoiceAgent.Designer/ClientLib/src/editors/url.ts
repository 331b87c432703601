import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

export function urlEditor(context: EditorContext): HTMLElement {
  const control = h("input", {
    type: "url",
    class: "form-control form-control-sm",
    value: displayValue(context.value),
    placeholder: context.texts("editor.urlHint"),
    inputmode: "url",
    spellcheck: "false",
    autocomplete: "off",
  });
  bindText(control, context, (text) => (text.trim() === "" ? undefined : text.trim()));
  return control;
}
