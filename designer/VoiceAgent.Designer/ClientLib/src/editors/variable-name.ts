import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

export function variableNameEditor(context: EditorContext): HTMLElement {
  const listId = `${context.id}-variables`;
  const control = h("input", {
    type: "text",
    class: "form-control form-control-sm font-monospace",
    value: displayValue(context.value),
    list: listId,
    pattern: "[A-Za-z][A-Za-z0-9_]*",
    title: context.texts("editor.variableHint"),
    spellcheck: "false",
    autocomplete: "off",
  });
  bindText(control, context, (text) => (text.trim() === "" ? undefined : text.trim()));
  const list = h(
    "datalist",
    { id: listId },
    ...context
      .variables()
      .filter((v) => !v.includes("."))
      .map((v) => h("option", { value: v })),
  );
  return h("div", null, control, list);
}
