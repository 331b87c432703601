import type { EdgeMetadata, NodeMetadata } from "@antv/x6";
import { autoLayout } from "./auto-layout";
import type { ActivityDescriptor, FlowDefinition, Language, NodeData } from "./contract";
import { edgeMetadata } from "./edge-metadata";
import { nodeMetadata } from "./node-metadata";
import { nodeVisuals } from "./node-visuals";
import { noteCells } from "./note-cells";
import type { Order } from "./order";

export interface DefinitionCells {
  nodes: NodeMetadata[];
  notes: NodeMetadata[];
  edges: EdgeMetadata[];
}

/**
 * The x6 cells of a definition, registered in `order` as they come. Nodes without a position are placed by the
 * auto-layout; a repeated node id counts once; connections to missing nodes are left out (the validator names them);
 * a connection whose outcome the activity does not declare keeps a port of its own, so nothing is dropped silently.
 */
export function definitionCells(
  definition: FlowDefinition,
  descriptors: ReadonlyMap<string, ActivityDescriptor>,
  language: Language,
  order: Order,
  notePlaceholder: string,
): DefinitionCells {
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

  return {
    nodes: unique.map((n) => {
      const data: NodeData = { type: n.type, inputs: structuredClone(n.inputs ?? {}) };
      const position = n.position ?? placed.get(n.id) ?? { x: 0, y: 0 };
      return nodeMetadata(n.id, data, position, descriptors.get(n.type), extra.get(n.id) ?? [], language);
    }),
    notes: noteCells(definition.notes, order, notePlaceholder),
    edges: (definition.connections ?? []).filter((c) => seen.has(c.from) && seen.has(c.to)).map(edgeMetadata),
  };
}
