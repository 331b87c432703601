import { completionField } from "./completion-field";
import type { EditorContext } from "./editor-context";

/** A condition or value such as intent == "book_appointment"; variable names are completed while typing. */
export function expressionEditor(context: EditorContext): HTMLElement {
  return completionField(context, false, "expression");
}
