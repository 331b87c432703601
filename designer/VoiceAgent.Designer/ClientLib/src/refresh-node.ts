import type { Graph, Node } from "@antv/x6";
import type { ActivityDescriptor, Language, NodeData } from "./contract";
import { derived, OUT_PREFIX } from "./geometry";
import { nodeVisuals } from "./node-visuals";

/** Brings a node's size, ports and texts in line with its data (after an input changed, or an undo). */
export function refreshNode(graph: Graph, node: Node, descriptors: ReadonlyMap<string, ActivityDescriptor>, language: Language): void {
  const data = node.getData<NodeData>();
  const connected = graph
    .getConnectedEdges(node, { outgoing: true })
    .map((e) => e.getSourcePortId() ?? "")
    .filter((p) => p.startsWith(OUT_PREFIX))
    .map((p) => p.slice(OUT_PREFIX.length));
  const visuals = nodeVisuals(node.id, data, descriptors.get(data.type), connected, language);

  const current = node
    .getPorts()
    .map((p) => `${p.id}|${(p.attrs as { text?: { text?: string } } | undefined)?.text?.text ?? ""}`)
    .join(",");
  const wanted = visuals.ports.map((p) => `${p.id}|${p.attrs?.text.text ?? ""}`).join(",");
  if (current !== wanted) {
    node.prop("ports/items", visuals.ports, derived);
  }
  const size = node.getSize();
  if (size.width !== visuals.width || size.height !== visuals.height) {
    node.resize(visuals.width, visuals.height, derived);
  }
  if (node.attr("title/text") !== visuals.title) {
    node.attr("title/text", visuals.title, derived);
  }
  if (node.attr("subtitle/text") !== visuals.subtitle) {
    node.attr("subtitle/text", visuals.subtitle, derived);
  }
}
