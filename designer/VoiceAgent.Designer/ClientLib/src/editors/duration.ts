import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";
import { parseNumber } from "./parse-number";

/** A number with its unit (seconds or minutes, from the input's name). */
export function durationEditor(context: EditorContext): HTMLElement {
  const minutes = /minute/i.test(context.input.name);
  const control = h("input", {
    type: "number",
    class: "form-control form-control-sm",
    value: displayValue(context.value ?? context.input.default ?? undefined),
    step: 1,
    min: 0,
  });
  bindText(control, context, parseNumber);
  return h(
    "div",
    { class: "input-group input-group-sm" },
    control,
    h("span", { class: "input-group-text" }, context.texts(minutes ? "editor.minutes" : "editor.seconds")),
  );
}
