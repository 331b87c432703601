import type { Graph } from "@antv/x6";
import type { FlowConnection, FlowDefinition, FlowNode, NodeData } from "./contract";
import { OUT_PREFIX } from "./geometry";
import type { Order } from "./order";

/** The flow definition as the canvas shows it: nodes with their inputs and (rounded) positions, and connections. */
export function readDefinition(graph: Graph, base: FlowDefinition, order: Order): FlowDefinition {
  const nodes: { seq: number; node: FlowNode }[] = graph.getNodes().map((node) => {
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

  return {
    name: base.name ?? "",
    nodes: nodes.sort((a, b) => a.seq - b.seq).map((n) => n.node),
    connections: connections.sort((a, b) => a.seq - b.seq).map((c) => c.connection),
    variables: structuredClone(base.variables ?? []),
  };
}
