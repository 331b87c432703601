import type { Graph } from "@antv/x6";

/** A readable, unused node id from the activity type: speak1, speak2, findSlots1 … */
export function newNodeId(graph: Graph, type: string, taken: ReadonlySet<string> = new Set()): string {
  const base = (type.charAt(0).toLowerCase() + type.slice(1)).replace(/[^A-Za-z0-9_]/g, "") || "node";
  for (let n = 1; ; n++) {
    const id = `${base}${n}`;
    if (!graph.hasCell(id) && !taken.has(id)) {
      return id;
    }
  }
}
