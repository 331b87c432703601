import type { Graph } from "@antv/x6";
import { rerouteEdges } from "./reroute-edges";

let depth = 0;

/** True while many nodes move at once: connections take the simple route until all have arrived. */
export function routingDeferred(): boolean {
  return depth > 0;
}

/**
 * Runs a change that moves many nodes (auto-layout, an import, undoing either) and routes every connection once at
 * the end, instead of once per moved node with the other nodes still on their way.
 */
export function deferRouting<T>(graph: Graph, change: () => T): T {
  depth++;
  try {
    return change();
  } finally {
    depth--;
    if (depth === 0) {
      rerouteEdges(graph);
    }
  }
}
