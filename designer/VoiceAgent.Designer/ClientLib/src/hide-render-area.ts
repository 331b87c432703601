import { type Graph, Rectangle } from "@antv/x6";

/** Renders nothing until initialView() has set the view (so loading does not draw cells that end up off-screen). */
export function hideRenderArea(graph: Graph): void {
  graph.renderer.setRenderArea(new Rectangle(-1e9, -1e9, 1, 1));
}
