import type { EditorContext } from "./editor-context";
import { pickSelect } from "./pick-select";

export function voicePickerEditor(context: EditorContext): HTMLElement {
  return pickSelect(context, context.options.voices);
}
