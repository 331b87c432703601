import type { Graph } from "@antv/x6";
import { autoLayout } from "./auto-layout";
import type { ActivityDescriptor, FlowDefinition, Language, NodeData } from "./contract";
import { edgeMetadata } from "./edge-metadata";
import { nodeMetadata } from "./node-metadata";
import { nodeVisuals } from "./node-visuals";
import type { Order } from "./order";

/**
 * Replaces the canvas with a definition (one reset, history off, so loading is not an undoable step). Nodes without a
 * position are placed by the auto-layout; connections to missing nodes are dropped from the view (the validator names them).
 */
export function loadDefinition(
  graph: Graph,
  definition: FlowDefinition,
  descriptors: ReadonlyMap<string, ActivityDescriptor>,
  language: Language,
  order: Order,
): void {
  const extra = new Map<string, string[]>();
  for (const c of definition.connections ?? []) {
    (extra.get(c.from) ?? extra.set(c.from, []).get(c.from)!).push(c.outcome);
  }

  const nodes = (definition.nodes ?? []).filter((n) => typeof n.id === "string" && n.id.length > 0);
  const seen = new Set<string>();
  const unique = nodes.filter((n) => !seen.has(n.id) && seen.add(n.id));
  unique.forEach((n) => order.of(`node:${n.id}`));
  (definition.connections ?? []).forEach((c) => order.of(`connection:${c.from}|${c.outcome}`));

  let placed = new Map<string, { x: number; y: number }>();
  if (unique.some((n) => !n.position)) {
    placed = autoLayout(
      unique.map((n) => {
        const v = nodeVisuals(n.id, { type: n.type, inputs: n.inputs ?? {} }, descriptors.get(n.type), extra.get(n.id) ?? [], language);
        return { id: n.id, width: v.width, height: v.height, root: n.type === "Start" };
      }),
      (definition.connections ?? []).map((c) => ({ from: c.from, to: c.to })),
    );
  }

  const nodeCells = unique.map((n) => {
    const data: NodeData = { type: n.type, inputs: structuredClone(n.inputs ?? {}) };
    const position = n.position ?? placed.get(n.id) ?? { x: 0, y: 0 };
    return nodeMetadata(n.id, data, position, descriptors.get(n.type), extra.get(n.id) ?? [], language);
  });
  const edgeCells = (definition.connections ?? []).filter((c) => seen.has(c.from) && seen.has(c.to)).map(edgeMetadata);

  performance.mark("va-load-metadata");
  graph.disableHistory();
  graph.fromJSON({ nodes: nodeCells, edges: edgeCells });
  performance.mark("va-load-cells");
  graph.enableHistory();
  graph.cleanHistory();
}
