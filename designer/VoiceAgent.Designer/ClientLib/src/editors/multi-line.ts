import { completionField } from "./completion-field";
import type { EditorContext } from "./editor-context";

/** A longer prompt or text; template inputs complete variables after "{{". */
export function multiLineEditor(context: EditorContext): HTMLElement {
  return completionField(context, true, "template");
}
