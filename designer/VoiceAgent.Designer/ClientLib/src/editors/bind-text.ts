import type { JsonValue } from "../contract";
import type { EditorContext } from "./editor-context";

/**
 * Wires a text-like control: every keystroke previews, leaving the field (change) commits one undo step.
 * `parse` turns the text into the stored value (undefined = remove the input so the default applies).
 */
export function bindText(
  control: HTMLInputElement | HTMLTextAreaElement,
  context: EditorContext,
  parse: (text: string) => JsonValue | undefined = (text) => (text === "" ? undefined : text),
): void {
  control.id = context.id;
  control.setAttribute("aria-describedby", context.describedBy);
  control.addEventListener("input", () => context.preview(parse(control.value)));
  control.addEventListener("change", () => context.commit(parse(control.value)));
}
