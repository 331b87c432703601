// The JSON the canvas module reads and writes (camelCase), mirrored from src/VoiceAgent.Flows (FlowDefinition,
// ActivityDescriptor, ValidationError) as the Blazor designer hands them over. Types only.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type Language = "de" | "en";

export interface LocalizedText {
  de: string;
  en: string;
}

// ---- flow definition (the engine's format) ----

export interface NodePosition {
  x: number;
  y: number;
}

export interface FlowNode {
  id: string;
  type: string;
  inputs?: Record<string, JsonValue>;
  position?: NodePosition | null;
}

export interface FlowConnection {
  from: string;
  outcome: string;
  to: string;
}

export interface FlowVariable {
  name: string;
  default?: JsonValue;
}

/** A sticky note on the canvas (a comment; the engine ignores it). */
export interface FlowNote {
  id: string;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FlowDefinition {
  name?: string;
  nodes: FlowNode[];
  connections: FlowConnection[];
  variables?: FlowVariable[];
  /** Only present when there are notes. */
  notes?: FlowNote[];
}

// ---- activity descriptors (GET /api/activities) ----

export type UiHint =
  | "single-line"
  | "text-template"
  | "multi-line"
  | "expression"
  | "number"
  | "duration"
  | "toggle"
  | "choice"
  | "business-hours"
  | "voice-picker"
  | "calendar-picker"
  | "transfer-target"
  | "intent-list"
  | "url"
  | "variable-name";

export interface InputDescriptor {
  name: string;
  type: "string" | "number" | "boolean" | "list" | "object" | "expression";
  displayName: LocalizedText;
  description: LocalizedText;
  uiHint: UiHint | string;
  required: boolean;
  syntax: "literal" | "template" | "expression";
  default: JsonValue | undefined;
  options: string[] | null;
}

export interface OutcomeDescriptor {
  name: string;
  displayName: LocalizedText;
}

export interface ActivityDescriptor {
  type: string;
  category: string;
  displayName: LocalizedText;
  description: LocalizedText;
  inputs: InputDescriptor[];
  outcomes: OutcomeDescriptor[];
  waits: boolean;
  outcomesFromInput: string | null;
}

// ---- validation (FlowValidator) ----

export interface ValidationError {
  nodeId: string | null;
  code: string;
  message: string;
}

// ---- the canvas model ----

/** What the canvas keeps on each x6 activity node (cell data). */
export interface NodeData {
  type: string;
  inputs: Record<string, JsonValue>;
}

/** What the canvas keeps on each x6 note (cell data). */
export interface NoteData {
  text: string;
}
