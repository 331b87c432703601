import type { EditorContext } from "./editor-context";
import { pickSelect } from "./pick-select";

export function calendarPickerEditor(context: EditorContext): HTMLElement {
  return pickSelect(context, context.options.calendars);
}
