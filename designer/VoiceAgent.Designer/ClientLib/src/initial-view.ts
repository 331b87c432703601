import { type Graph, type Node, Rectangle } from "@antv/x6";
import type { NodeData } from "./contract";
import { renderVisible } from "./render-visible";

/** Below this scale a fitted flow is unreadable; it opens at a readable zoom at its Start node instead. */
const MIN_FIT_SCALE = 0.35;
const READABLE_SCALE = 0.8;
const PADDING = 40;

/**
 * Sets the first view of a loaded flow and renders what it shows: small flows are fitted to the window, large ones
 * open at a readable zoom with the Start node at the top (the minimap shows the whole). Only cells in the view are
 * rendered (x6 virtual rendering), so opening a 300-node flow costs what about twenty nodes cost.
 */
export function initialView(graph: Graph, container: HTMLElement): void {
  const nodes = graph.getNodes();
  // x6's virtual renderer draws the view on each zoom and pan step; here only the last one is ever seen.
  const virtual = graph.virtualRender as unknown as { stopListening(): void; startListening(): void };
  virtual.stopListening();
  try {
    setView(graph, container, nodes);
  } finally {
    virtual.startListening();
  }
  renderVisible(graph);
}

function setView(graph: Graph, container: HTMLElement, nodes: Node[]): void {
  if (nodes.length > 0) {
    const bbox = graph.getCellsBBox(nodes) ?? new Rectangle(0, 0, 1, 1);
    const fitScale = Math.min(1, (container.clientWidth - 2 * PADDING) / bbox.width, (container.clientHeight - 2 * PADDING) / bbox.height);
    if (fitScale >= MIN_FIT_SCALE) {
      graph.zoomToFit({ padding: PADDING, maxScale: 1, useCellGeometry: true });
    } else {
      const start =
        nodes.find((n) => n.getData<NodeData>().type === "Start") ??
        [...nodes].sort((a, b) => a.getPosition().y - b.getPosition().y || a.getPosition().x - b.getPosition().x)[0]!;
      graph.zoomTo(READABLE_SCALE);
      graph.positionCell(start, "top");
      graph.translateBy(0, PADDING);
    }
  }
}
