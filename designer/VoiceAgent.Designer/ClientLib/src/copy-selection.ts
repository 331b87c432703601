import type { Graph } from "@antv/x6";
import { CLIPBOARD_KEY, type ClipboardContent } from "./clipboard-format";
import type { FlowDefinition } from "./contract";

/** Copies the selected nodes and the connections between them; returns how many nodes were copied. */
export function copySelection(graph: Graph, definition: FlowDefinition): number {
  const selected = new Set(
    graph
      .getSelectedCells()
      .filter((c) => c.isNode())
      .map((c) => c.id),
  );
  if (selected.size === 0) {
    return 0;
  }
  const content: ClipboardContent = {
    kind: "voiceagent-flow-fragment",
    version: 1,
    nodes: definition.nodes.filter((n) => selected.has(n.id)),
    connections: definition.connections.filter((c) => selected.has(c.from) && selected.has(c.to)),
  };
  try {
    localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(content));
  } catch {
    return 0;
  }
  return selected.size;
}
