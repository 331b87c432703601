import type { EditorContext } from "./editor-context";
import { pickSelect } from "./pick-select";

/** Only numbers on the tenant's transfer allow-list are offered. */
export function transferTargetEditor(context: EditorContext): HTMLElement {
  return pickSelect(context, context.options.transferTargets);
}
