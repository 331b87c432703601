import type { Graph, Node } from "@antv/x6";
import type { ActivityDescriptor, JsonValue, Language, NodeData, NoteData } from "./contract";
import { NODE_SHAPE, NOTE_SHAPE } from "./geometry";
import { localized } from "./localized";

/** Lower case without accents, so "uber" finds "Über" and "Begrüßung" finds "begrüssung" … at least mostly. */
function fold(text: string): string {
  return text
    .toLocaleLowerCase("de")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/ß/g, "ss");
}

function valueText(value: JsonValue | undefined): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
}

function textOf(node: Node, descriptors: ReadonlyMap<string, ActivityDescriptor>, language: Language): string {
  if (node.shape === NOTE_SHAPE) {
    return node.getData<NoteData>().text ?? "";
  }
  const data = node.getData<NodeData>();
  const descriptor = descriptors.get(data.type);
  return [
    node.id,
    data.type,
    descriptor ? localized(descriptor.displayName, language) : "",
    ...Object.values(data.inputs ?? {}).map(valueText),
  ].join("\n");
}

/**
 * The activities (by id, title, type or the text of any property) and notes (by their text) that contain the query,
 * as cell ids in reading order: top to bottom, then left to right.
 */
export function findNodes(
  graph: Graph,
  query: string,
  descriptors: ReadonlyMap<string, ActivityDescriptor>,
  language: Language,
): string[] {
  const wanted = fold(query.trim());
  if (wanted === "") {
    return [];
  }
  return graph
    .getNodes()
    .filter((n) => (n.shape === NODE_SHAPE || n.shape === NOTE_SHAPE) && fold(textOf(n, descriptors, language)).includes(wanted))
    .sort((a, b) => a.getPosition().y - b.getPosition().y || a.getPosition().x - b.getPosition().x)
    .map((n) => n.id);
}
