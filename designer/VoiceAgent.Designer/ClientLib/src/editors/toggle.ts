import { h } from "../dom";
import type { EditorContext } from "./editor-context";

export function toggleEditor(context: EditorContext): HTMLElement {
  const checked = (context.value ?? context.input.default) === true;
  const control = h("input", {
    type: "checkbox",
    class: "form-check-input",
    role: "switch",
    id: context.id,
    checked,
    "aria-describedby": context.describedBy,
  });
  control.addEventListener("change", () => context.commit(control.checked));
  return h("div", { class: "form-check form-switch m-0" }, control, h("span", { class: "form-check-label" }, context.texts("editor.yes")));
}
