import type { Graph } from "@antv/x6";
import type { ActivityDescriptor, FlowDefinition, Language } from "./contract";
import { definitionCells } from "./definition-cells";
import type { Order } from "./order";

/**
 * Replaces the canvas with a definition (one reset, history off, so loading is not an undoable step; an import goes
 * through replaceGraph instead). `notePlaceholder` is what an empty note shows.
 */
export function loadDefinition(
  graph: Graph,
  definition: FlowDefinition,
  descriptors: ReadonlyMap<string, ActivityDescriptor>,
  language: Language,
  order: Order,
  notePlaceholder: string,
): void {
  const cells = definitionCells(definition, descriptors, language, order, notePlaceholder);
  performance.mark("va-load-metadata");
  graph.disableHistory();
  graph.fromJSON({ nodes: [...cells.notes, ...cells.nodes], edges: cells.edges });
  performance.mark("va-load-cells");
  graph.enableHistory();
  graph.cleanHistory();
}
