import type { Graph } from "@antv/x6";

const RENDER_MARGIN = 160;

/**
 * Draws what the view shows now. The virtual renderer follows the view throttled; after a jump (the first view, a
 * search hit, the end of an auto-layout) the cells in view should not wait for it.
 */
export function renderVisible(graph: Graph): void {
  const area = graph.getGraphArea();
  area.inflate(RENDER_MARGIN, RENDER_MARGIN);
  graph.renderer.setRenderArea(area);
}
