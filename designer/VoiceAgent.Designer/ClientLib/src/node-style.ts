import type { Node } from "@antv/x6";
import { derived } from "./geometry";

export interface NodeMarks {
  /** German (or English) validation messages of this node; empty = valid. */
  errors: readonly string[];
  /** The simulator is at this node. */
  current: boolean;
}

/** Marks a node on the canvas: red border, "!" badge and tooltip for errors; a thick blue border for the current node. */
export function applyNodeMarks(node: Node, marks: NodeMarks): void {
  const invalid = marks.errors.length > 0;
  node.attr(
    {
      body: {
        stroke: marks.current ? "#206bc4" : invalid ? "#d63939" : "#aab4c3",
        strokeWidth: marks.current ? 3 : invalid ? 2 : 1,
        title: invalid ? marks.errors.join("\n") : "",
        "data-invalid": invalid ? "true" : "false",
        "data-current": marks.current ? "true" : "false",
      },
      badge: { visibility: invalid ? "visible" : "hidden", title: invalid ? marks.errors.join("\n") : "" },
      badgeText: { visibility: invalid ? "visible" : "hidden" },
    },
    derived,
  );
}
