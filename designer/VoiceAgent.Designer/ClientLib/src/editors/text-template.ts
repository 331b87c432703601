import { completionField } from "./completion-field";
import type { EditorContext } from "./editor-context";

/** One line of text with {{ placeholders }}; typing "{{" offers the variables. */
export function textTemplateEditor(context: EditorContext): HTMLElement {
  return completionField(context, false, "template");
}
