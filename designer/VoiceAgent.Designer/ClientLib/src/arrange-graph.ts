import type { Graph } from "@antv/x6";
import { autoLayout } from "./auto-layout";
import type { NodeData } from "./contract";
import { NODE_SHAPE } from "./geometry";
import { deferRouting } from "./defer-routing";

/** "Automatisch anordnen": every activity to its place in the layered layout, one undo step; connections follow. */
export function arrangeGraph(graph: Graph): void {
  const nodes = graph.getNodes().filter((n) => n.shape === NODE_SHAPE);
  const positions = autoLayout(
    nodes.map((n) => ({ id: n.id, width: n.getSize().width, height: n.getSize().height, root: n.getData<NodeData>().type === "Start" })),
    graph.getEdges().map((e) => ({ from: e.getSourceCellId() ?? "", to: e.getTargetCellId() ?? "" })),
  );
  deferRouting(graph, () => {
    graph.startBatch("layout");
    for (const node of nodes) {
      const p = positions.get(node.id);
      if (p) {
        node.position(p.x, p.y);
      }
    }
    graph.stopBatch("layout");
  });
}
