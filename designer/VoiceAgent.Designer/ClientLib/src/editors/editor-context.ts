import type { DesignerOptions, InputDescriptor, JsonValue, Language } from "../contract";
import type { Texts } from "../texts";

/** What a property editor gets: the input's descriptor, its value, and two ways to hand a new value back. */
export interface EditorContext {
  /** id for the control, so the field's <label for> points at it. */
  id: string;
  /** id of the field's label (composite editors use aria-labelledby). */
  labelId: string;
  /** id of the description / error text (aria-describedby). */
  describedBy: string;
  input: InputDescriptor;
  /** The stored value; undefined = not set (the activity's default applies). */
  value: JsonValue | undefined;
  texts: Texts;
  language: Language;
  options: DesignerOptions;
  /** Variable names for completion (run variables, flow variables, SetVariable targets). */
  variables(): string[];
  /** While typing: the canvas and validation follow, but it is not an undo step yet. */
  preview(value: JsonValue | undefined): void;
  /** A finished edit (change/blur, a click): one undo step. */
  commit(value: JsonValue | undefined): void;
}

export type EditorFactory = (context: EditorContext) => HTMLElement;
