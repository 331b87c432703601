import type { Graph } from "@antv/x6";

/** Below this zoom a node found is too small to read; the view zooms in to READABLE_SCALE first. */
const MIN_READABLE_SCALE = 0.6;
const READABLE_SCALE = 0.9;
const RENDER_MARGIN = 160;

/** Selects a node or note and centres the view on it (zooming in when the flow is zoomed out too far to read it). */
export function jumpToCell(graph: Graph, id: string): boolean {
  const cell = graph.getCellById(id);
  if (!cell?.isNode()) {
    return false;
  }
  graph.resetSelection(cell);
  if (graph.zoom() < MIN_READABLE_SCALE) {
    graph.zoomTo(READABLE_SCALE);
  }
  graph.centerCell(cell);
  // The virtual renderer follows the view throttled; what the view shows now is drawn now.
  const area = graph.getGraphArea();
  area.inflate(RENDER_MARGIN, RENDER_MARGIN);
  graph.renderer.setRenderArea(area);
  return true;
}
