import type { Graph } from "@antv/x6";
import { autoLayout } from "./auto-layout";
import type { NodeData } from "./contract";
import { deferRouting } from "./defer-routing";
import { LAYOUT_GAP_X, NODE_SHAPE, NOTE_SHAPE } from "./geometry";

const NOTE_GAP = 24;

/**
 * "Automatisch anordnen": every activity to its place in the layered layout, and the notes in a column to the right of
 * it (in the order they were from top to bottom), so nothing overlaps. One undo step; connections follow.
 */
export function arrangeGraph(graph: Graph): void {
  const cells = graph.getNodes();
  const nodes = cells.filter((n) => n.shape === NODE_SHAPE);
  const notes = cells
    .filter((n) => n.shape === NOTE_SHAPE)
    .sort((a, b) => a.getPosition().y - b.getPosition().y || a.getPosition().x - b.getPosition().x);
  const positions = autoLayout(
    nodes.map((n) => ({ id: n.id, width: n.getSize().width, height: n.getSize().height, root: n.getData<NodeData>().type === "Start" })),
    graph.getEdges().map((e) => ({ from: e.getSourceCellId() ?? "", to: e.getTargetCellId() ?? "" })),
  );
  let right = 0;
  let top = Infinity;
  for (const node of nodes) {
    const p = positions.get(node.id);
    if (p) {
      right = Math.max(right, p.x + node.getSize().width);
      top = Math.min(top, p.y);
    }
  }
  deferRouting(graph, () => {
    graph.startBatch("layout");
    for (const node of nodes) {
      const p = positions.get(node.id);
      if (p) {
        node.position(p.x, p.y);
      }
    }
    let y = Number.isFinite(top) ? top : 0;
    for (const note of notes) {
      note.position(nodes.length > 0 ? right + LAYOUT_GAP_X : 0, y);
      y += note.getSize().height + NOTE_GAP;
    }
    graph.stopBatch("layout");
  });
}
