import type { Graph, Node } from "@antv/x6";
import { rerouteEdges } from "./reroute-edges";

export interface Nudger {
  /** Moves the selected nodes (activities and notes) by dx, dy; false when nothing is selected. */
  move(dx: number, dy: number): boolean;
  /** Ends the current undo step (the arrow key was released, or something else happened). */
  settle(): void;
}

/**
 * Arrow-key moves of the selection. A key press is one undo step; while a key is held down its repeats join that step,
 * which ends when the key is released (or the window loses focus).
 */
export function createNudger(graph: Graph): Nudger {
  let open = false;
  const settle = () => {
    if (open) {
      open = false;
      graph.stopBatch("nudge");
    }
  };
  window.addEventListener("blur", settle);
  return {
    move(dx, dy) {
      const nodes = graph.getSelectedCells().filter((c): c is Node => c.isNode());
      if (nodes.length === 0) {
        return false;
      }
      if (!open) {
        open = true;
        graph.startBatch("nudge");
      }
      for (const node of nodes) {
        node.translate(dx, dy);
      }
      rerouteEdges(graph, nodes);
      return true;
    },
    settle,
  };
}
