import type { Graph, Node, NodeMetadata } from "@antv/x6";
import type { DefinitionCells } from "./definition-cells";
import { deferRouting } from "./defer-routing";
import { derived, NOTE_SHAPE } from "./geometry";

/**
 * Puts another definition on the canvas as ONE undo step (an import). Connections are replaced; nodes and notes that
 * keep their id are changed in place (x6's history would drop "remove, then add the same id" from a step as if nothing
 * happened), the others removed or added. `tag` goes with every change, so the step can be recognised when it is
 * undone or redone.
 */
export function replaceGraph(graph: Graph, cells: DefinitionCells, tag: Record<string, unknown>): void {
  const wanted = new Map<string, NodeMetadata>([...cells.notes, ...cells.nodes].map((m) => [m.id!, m]));
  deferRouting(graph, () => {
    graph.startBatch("import");
    graph.removeCells(graph.getEdges(), tag);
    graph.removeCells(
      graph.getNodes().filter((n) => wanted.get(n.id)?.shape !== n.shape),
      tag,
    );
    for (const meta of wanted.values()) {
      const cell = graph.getCellById(meta.id!);
      if (cell?.isNode()) {
        update(cell, meta, tag);
      } else {
        graph.addNode(meta, tag);
      }
    }
    graph.addEdges(cells.edges, tag);
    graph.stopBatch("import");
  });
}

function update(node: Node, meta: NodeMetadata, tag: Record<string, unknown>) {
  if (JSON.stringify(node.getData()) !== JSON.stringify(meta.data)) {
    node.setData(meta.data, { ...tag, overwrite: true });
  }
  const position = node.getPosition();
  if (position.x !== meta.x || position.y !== meta.y) {
    node.position(meta.x ?? 0, meta.y ?? 0, tag);
  }
  const size = node.getSize();
  if (node.shape === NOTE_SHAPE) {
    if (size.width !== meta.width || size.height !== meta.height) {
      node.resize(meta.width ?? size.width, meta.height ?? size.height, tag);
    }
  } else if (meta.ports) {
    // An activity's ports and size follow from its data and connections (derived, like refreshNode does).
    node.prop("ports", meta.ports, derived);
    node.resize(meta.width ?? size.width, meta.height ?? size.height, derived);
  }
}
