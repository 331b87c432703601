import type { EdgeView, Graph, Node } from "@antv/x6";

/**
 * Routes connections again. x6 re-routes a connection when one of its own nodes moves; after many nodes moved at once
 * (auto-layout, an import) all connections follow with this, and after a node was dropped (`moved`) the connections
 * now running through it find a way around.
 */
export function rerouteEdges(graph: Graph, moved?: readonly Node[]): void {
  const areas = moved?.map((n) => n.getBBox());
  for (const edge of graph.getEdges()) {
    const view = graph.findViewByCell(edge) as EdgeView | null;
    if (!view) {
      continue;
    }
    if (areas) {
      const line = view.getConnection();
      const box = line?.bbox();
      if (!box || !areas.some((a) => a.isIntersectWithRect(box))) {
        continue;
      }
    }
    graph.renderer.requestViewUpdate(view, view.getFlag("update"), { async: false });
  }
}
