import type { NodeMetadata } from "@antv/x6";
import type { ActivityDescriptor, Language, NodeData, NodePosition } from "./contract";
import { NODE_SHAPE } from "./geometry";
import { nodeVisuals } from "./node-visuals";

/** The x6 metadata of an activity node (id = the flow node id, data = type and inputs). */
export function nodeMetadata(
  id: string,
  data: NodeData,
  position: NodePosition,
  descriptor: ActivityDescriptor | undefined,
  extraOutcomes: readonly string[],
  language: Language,
): NodeMetadata {
  const visuals = nodeVisuals(id, data, descriptor, extraOutcomes, language);
  return {
    shape: NODE_SHAPE,
    id,
    x: position.x,
    y: position.y,
    width: visuals.width,
    height: visuals.height,
    data,
    ports: { items: visuals.ports },
    attrs: {
      title: { text: visuals.title },
      subtitle: { text: visuals.subtitle },
      accent: { fill: visuals.accent },
    },
  };
}
