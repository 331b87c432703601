import type { Graph } from "@antv/x6";
import { rerouteEdges } from "./reroute-edges";

let depth = 0;

/** True while many nodes move at once: connections take the simple route until all have arrived. */
export function routingDeferred(): boolean {
  return depth > 0;
}

const moves = ["cell:added", "cell:removed", "node:change:position", "node:change:size"] as const;

/**
 * Runs a change that may move many nodes (auto-layout, an import, an undo or redo) and routes the connections once at
 * the end, instead of once per moved node with the other nodes still on their way — and not at all when no node moved.
 */
export function deferRouting<T>(graph: Graph, change: () => T): T {
  let moved = false;
  const mark = () => {
    moved = true;
  };
  moves.forEach((event) => graph.model.on(event, mark));
  depth++;
  try {
    return change();
  } finally {
    depth--;
    moves.forEach((event) => graph.model.off(event, mark));
    if (depth === 0 && moved) {
      rerouteEdges(graph);
    }
  }
}
