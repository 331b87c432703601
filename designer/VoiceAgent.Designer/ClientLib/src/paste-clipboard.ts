import type { Graph } from "@antv/x6";
import { CLIPBOARD_KEY, type ClipboardContent } from "./clipboard-format";
import type { FlowNode } from "./contract";
import { edgeMetadata } from "./edge-metadata";
import { newNodeId } from "./new-node-id";

const OFFSET = 40;

/**
 * Pastes what copy stored (from this flow or another): fresh node ids, positions shifted so the copy is visible,
 * connections among the pasted nodes kept; one undo step; the pasted nodes end up selected. Returns their ids.
 */
export function pasteClipboard(graph: Graph, createNode: (node: FlowNode) => void): string[] {
  let content: ClipboardContent;
  try {
    content = JSON.parse(localStorage.getItem(CLIPBOARD_KEY) ?? "null") as ClipboardContent;
  } catch {
    return [];
  }
  if (!content || content.kind !== "voiceagent-flow-fragment" || !Array.isArray(content.nodes) || content.nodes.length === 0) {
    return [];
  }

  // Shift until the copy does not sit exactly on existing nodes (pasting twice cascades).
  const occupied = new Set(graph.getNodes().map((n) => `${Math.round(n.getPosition().x)},${Math.round(n.getPosition().y)}`));
  let shift = OFFSET;
  while (
    content.nodes.some((n) => occupied.has(`${(n.position?.x ?? 0) + shift},${(n.position?.y ?? 0) + shift}`)) &&
    shift < OFFSET * 50
  ) {
    shift += OFFSET;
  }

  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of content.nodes) {
    const id = newNodeId(graph, node.type, taken);
    taken.add(id);
    ids.set(node.id, id);
  }

  graph.startBatch("paste");
  for (const node of content.nodes) {
    createNode({
      id: ids.get(node.id)!,
      type: node.type,
      inputs: structuredClone(node.inputs ?? {}),
      position: { x: (node.position?.x ?? 0) + shift, y: (node.position?.y ?? 0) + shift },
    });
  }
  for (const c of content.connections ?? []) {
    const from = ids.get(c.from);
    const to = ids.get(c.to);
    if (from && to) {
      graph.addEdge(edgeMetadata({ from, outcome: c.outcome, to }));
    }
  }
  graph.stopBatch("paste");

  const pasted = [...ids.values()];
  graph.resetSelection(pasted);
  return pasted;
}
