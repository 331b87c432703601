import type { Graph } from "@antv/x6";
import type { Bridge } from "./bridge";
import type {
  ActivityDescriptor,
  DesignerConfig,
  DesignerOptions,
  FlowDefinition,
  Language,
  Revision,
  ValidationError,
  VersionStatus,
} from "./contract";
import type { Texts } from "./texts";

/** The version open in the editor and how a save must address it. */
export interface Session {
  version: number;
  status: VersionStatus;
  /** The draft's revision when a draft is open; null otherwise (a save then creates a new draft). */
  revision: Revision | null;
  /** Name and variables of the loaded definition (the canvas edits nodes and connections). */
  base: FlowDefinition;
}

/** What the panels share. Types only. */
export interface DesignerContext {
  graph: Graph;
  bridge: Bridge;
  texts: Texts;
  language: Language;
  config: DesignerConfig;
  descriptors: ReadonlyMap<string, ActivityDescriptor>;
  options: DesignerOptions;
  session: Session;
  /** The current validation errors of the canvas. */
  errors(): readonly ValidationError[];
  /** Variable names for completion. */
  variables(): string[];
  /** The canvas changed outside the undo history (typing): validate and save soon. */
  changed(): void;
  /** Selects a node on the canvas and scrolls it into view. */
  focusNode(id: string): void;
  /** The current canvas as a flow definition. */
  definition(): FlowDefinition;
  /** Saves now; resolves true when the canvas is saved. */
  flushSave(): Promise<boolean>;
  /** Shows a message in the banner. */
  notify(message: string, kind: "success" | "danger" | "info"): void;
}
