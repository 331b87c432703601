import type { Graph } from "@antv/x6";
import { renderVisible } from "./render-visible";

/** Below this zoom a node found is too small to read; the view zooms in to READABLE_SCALE first. */
const MIN_READABLE_SCALE = 0.6;
const READABLE_SCALE = 0.9;

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
  renderVisible(graph);
  return true;
}
