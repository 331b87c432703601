import type { Graph } from "@antv/x6";
import type { ValidationError } from "./contract";
import { applyNodeMarks } from "./node-style";

export interface Marks {
  /** Marks the nodes named in the errors (and unmarks the others). */
  setErrors(errors: readonly ValidationError[]): void;
  /** Highlights the node the simulator is at (null: none). */
  setCurrent(nodeId: string | null): void;
  /** Re-applies a node's marks (it came back by undo, or was re-created). */
  reapply(nodeId: string): void;
}

/** Keeps the canvas marks in step with validation and the test console, touching only nodes whose marks change. */
export function createMarks(graph: Graph): Marks {
  let errorsByNode = new Map<string, string[]>();
  let current: string | null = null;

  function apply(nodeId: string) {
    const cell = graph.getCellById(nodeId);
    if (cell?.isNode()) {
      applyNodeMarks(cell, { errors: errorsByNode.get(nodeId) ?? [], current: current === nodeId });
    }
  }

  return {
    setErrors(errors) {
      const next = new Map<string, string[]>();
      for (const e of errors) {
        if (e.nodeId) {
          (next.get(e.nodeId) ?? next.set(e.nodeId, []).get(e.nodeId)!).push(e.message);
        }
      }
      const touched = new Set([...errorsByNode.keys(), ...next.keys()]);
      const before = errorsByNode;
      errorsByNode = next;
      for (const id of touched) {
        if ((before.get(id) ?? []).join("\n") !== (next.get(id) ?? []).join("\n")) {
          apply(id);
        }
      }
    },
    setCurrent(nodeId) {
      const previous = current;
      current = nodeId;
      if (previous && previous !== nodeId) {
        apply(previous);
      }
      if (nodeId) {
        apply(nodeId);
      }
    },
    reapply: apply,
  };
}
