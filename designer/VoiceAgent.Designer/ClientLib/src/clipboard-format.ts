import type { FlowConnection, FlowNode } from "./contract";

// What copy writes to localStorage (so it can be pasted into another flow, even in another tab). Types and constants only.
export const CLIPBOARD_KEY = "voiceagent.designer.clipboard";

export interface ClipboardContent {
  kind: "voiceagent-flow-fragment";
  version: 1;
  nodes: FlowNode[];
  connections: FlowConnection[];
}
