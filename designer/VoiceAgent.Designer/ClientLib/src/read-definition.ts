import type { Graph } from "@antv/x6";
import type { FlowConnection, FlowDefinition, FlowNode, FlowNote, NodeData, NoteData } from "./contract";
import { NODE_SHAPE, NOTE_PREFIX, NOTE_SHAPE, OUT_PREFIX } from "./geometry";
import type { Order } from "./order";

/**
 * The flow definition as the canvas shows it: nodes with their inputs and (rounded) positions, connections, and the
 * notes (only when there are any, so a flow without notes reads as before notes existed).
 */
export function readDefinition(graph: Graph, base: FlowDefinition, order: Order): FlowDefinition {
  const cells = graph.getNodes();
  const nodes: { seq: number; node: FlowNode }[] = cells.filter((n) => n.shape === NODE_SHAPE).map((node) => {
    const data = node.getData<NodeData>();
    const position = node.getPosition();
    return {
      seq: order.of(`node:${node.id}`),
      node: {
        id: node.id,
        type: data.type,
        inputs: structuredClone(data.inputs),
        position: { x: Math.round(position.x), y: Math.round(position.y) },
      },
    };
  });

  const connections: { seq: number; connection: FlowConnection }[] = [];
  for (const edge of graph.getEdges()) {
    const from = edge.getSourceCellId();
    const to = edge.getTargetCellId();
    const port = edge.getSourcePortId();
    if (from && to && port?.startsWith(OUT_PREFIX)) {
      const outcome = port.slice(OUT_PREFIX.length);
      connections.push({ seq: order.of(`connection:${from}|${outcome}`), connection: { from, outcome, to } });
    }
  }

  const notes: { seq: number; note: FlowNote }[] = cells
    .filter((n) => n.shape === NOTE_SHAPE)
    .map((cell) => {
      const position = cell.getPosition();
      const size = cell.getSize();
      return {
        seq: order.of(cell.id),
        note: {
          id: cell.id.slice(NOTE_PREFIX.length),
          text: cell.getData<NoteData>().text ?? "",
          x: Math.round(position.x),
          y: Math.round(position.y),
          width: Math.round(size.width),
          height: Math.round(size.height),
        },
      };
    });

  const definition: FlowDefinition = {
    name: base.name ?? "",
    nodes: nodes.sort((a, b) => a.seq - b.seq).map((n) => n.node),
    connections: connections.sort((a, b) => a.seq - b.seq).map((c) => c.connection),
    variables: structuredClone(base.variables ?? []),
  };
  if (notes.length > 0) {
    definition.notes = notes.sort((a, b) => a.seq - b.seq).map((n) => n.note);
  }
  return definition;
}
