// The JSON the server speaks (camelCase), mirrored from src/VoiceAgent.Flows (FlowDefinition, ActivityDescriptor,
// ValidationError) and src/VoiceAgent.CallFlows/FlowsApi.cs. Types only.

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

// ---- versions, validation, saving ----

export type VersionStatus = "draft" | "staged" | "live" | "retired";

/** Opaque optimistic-concurrency token of a draft. */
export type Revision = string | number;

export interface ValidationError {
  nodeId: string | null;
  code: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

export interface VersionSummary {
  version: number;
  status: VersionStatus;
  revision?: Revision;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface FlowDetail {
  id: string;
  name: string;
  versions: VersionSummary[];
}

export interface VersionDetail {
  version: number;
  status: VersionStatus;
  definition: FlowDefinition | null;
  errors: ValidationError[];
  revision?: Revision | null;
}

export interface SaveResult {
  version: number;
  status: VersionStatus;
  errors: ValidationError[];
  revision?: Revision | null;
}

export interface DiffNode {
  id: string;
  type: string;
}

export interface DiffInput {
  name: string;
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

export interface DiffChangedNode extends DiffNode {
  inputs: DiffInput[];
  /** The former activity type when the same id now holds another type. */
  typeBefore?: string;
}

export interface DiffVariable {
  name: string;
  default?: JsonValue;
}

export interface DiffVariableChange {
  name: string;
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

export interface DiffNote {
  id: string;
  text: string;
}

export interface DiffNoteChange {
  id: string;
  before: string;
  after: string;
}

export interface FlowDiff {
  nodesAdded: DiffNode[];
  nodesRemoved: DiffNode[];
  nodesChanged: DiffChangedNode[];
  connectionsAdded: FlowConnection[];
  connectionsRemoved: FlowConnection[];
  variablesAdded?: DiffVariable[];
  variablesRemoved?: DiffVariable[];
  variablesChanged?: DiffVariableChange[];
  notesAdded?: DiffNote[];
  notesRemoved?: DiffNote[];
  notesChanged?: DiffNoteChange[];
}

export interface PickOption {
  value: string;
  label: string;
}

export interface DesignerOptions {
  voices: PickOption[];
  calendars: PickOption[];
  transferTargets: PickOption[];
  intents: PickOption[];
  variables: string[];
  /** A speech-to-text engine is configured: the test console offers the microphone. */
  speechToText: boolean;
}

export interface ExportedFile {
  fileName: string;
  text: string;
}

// ---- simulator (SimulationService.TurnResult) ----

export interface Incident {
  nodeId?: string | null;
  code?: string;
  message?: string;
}

export interface SimulationTurn {
  sessionId: string;
  version: number;
  status: string;
  lines: string[];
  visited: string[];
  currentNodeId: string | null;
  waitingFor: string | null;
  variables: Record<string, JsonValue>;
  incidents: Incident[];
  transfers: string[];
}

/** A spoken answer (FlowsApi.SpeechTurnResult): the turn plus what was heard. Nothing intelligible: heard is "", hint
 *  says so and no turn was taken (no lines, the session waits where it was). */
export interface SpeechTurn extends SimulationTurn {
  heard: string;
  hint: string | null;
}

// ---- problems (RFC 7807) and call results ----

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]> | ValidationError[];
  currentRevision?: Revision | null;
  [extension: string]: unknown;
}

/** Every bridge call resolves to this; status 0 means the server was not reached. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; status: number; problem: Problem };

/** What the canvas keeps on each x6 activity node (cell data). */
export interface NodeData {
  type: string;
  inputs: Record<string, JsonValue>;
}

/** What the canvas keeps on each x6 note (cell data). */
export interface NoteData {
  text: string;
}

/** Page configuration, read from the data-* attributes of the designer root element. */
export interface DesignerConfig {
  flowId: string;
  flowName: string;
  language: Language;
  version: number | null;
  antiforgeryToken: string;
  antiforgeryHeader: string;
  canPublish: boolean;
  backUrl: string;
  calendarUrl: string;
  /** The AudioWorklet module that records the microphone (recorder-worklet.js, served beside designer.js). */
  recorderUrl: string;
}
