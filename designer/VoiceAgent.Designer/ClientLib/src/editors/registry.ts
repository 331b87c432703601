import type { UiHint } from "../contract";
import { businessHoursEditor } from "./business-hours";
import { calendarPickerEditor } from "./calendar-picker";
import { choiceEditor } from "./choice";
import { durationEditor } from "./duration";
import type { EditorFactory } from "./editor-context";
import { expressionEditor } from "./expression";
import { intentListEditor } from "./intent-list";
import { multiLineEditor } from "./multi-line";
import { numberEditor } from "./number";
import { singleLineEditor } from "./single-line";
import { textTemplateEditor } from "./text-template";
import { toggleEditor } from "./toggle";
import { transferTargetEditor } from "./transfer-target";
import { urlEditor } from "./url";
import { variableNameEditor } from "./variable-name";
import { voicePickerEditor } from "./voice-picker";

// The one place that maps a UI hint (UiHints in src/VoiceAgent.Flows/Descriptors/Attributes.cs) to its editor.
const editors: Record<UiHint, EditorFactory> = {
  "single-line": singleLineEditor,
  "text-template": textTemplateEditor,
  "multi-line": multiLineEditor,
  expression: expressionEditor,
  number: numberEditor,
  duration: durationEditor,
  toggle: toggleEditor,
  choice: choiceEditor,
  "business-hours": businessHoursEditor,
  "voice-picker": voicePickerEditor,
  "calendar-picker": calendarPickerEditor,
  "transfer-target": transferTargetEditor,
  "intent-list": intentListEditor,
  url: urlEditor,
  "variable-name": variableNameEditor,
};

/** The editor for a UI hint; an unknown hint gets a single-line text field. */
export function editorFor(hint: string): EditorFactory {
  return editors[hint as UiHint] ?? singleLineEditor;
}
