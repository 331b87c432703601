import type { ActivityDescriptor, JsonValue, Language, NodeData } from "./contract";
import { categoryColor } from "./category-color";
import { IN_PORT, NODE_HEADER, NODE_MIN_HEIGHT, NODE_WIDTH, OUT_PREFIX, OUTCOME_ROW } from "./geometry";
import { localized } from "./localized";
import { outcomesOf } from "./outcomes-of";

export interface PortItem {
  id: string;
  group: "in" | "out";
  args?: { x: number; y: number };
  attrs?: { text: { text: string } };
}

export interface NodeVisuals {
  width: number;
  height: number;
  outcomes: string[];
  ports: PortItem[];
  title: string;
  subtitle: string;
  accent: string;
}

function clip(text: string, max: number): string {
  const single = text.replace(/\s+/g, " ").trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

function summaryOf(descriptor: ActivityDescriptor | undefined, inputs: Record<string, JsonValue>): string {
  if (!descriptor) {
    return "";
  }
  const preferred =
    descriptor.inputs.find((i) => i.required && typeof inputs[i.name] === "string" && inputs[i.name] !== "") ??
    descriptor.inputs.find((i) => typeof inputs[i.name] === "string" && inputs[i.name] !== "");
  return preferred ? String(inputs[preferred.name]) : "";
}

/**
 * Size, ports and texts of an activity node. `extraOutcomes` keeps ports for connections whose outcome the descriptor
 * does not (or no longer) declare, so loading and saving never drops a connection silently.
 */
export function nodeVisuals(
  id: string,
  data: NodeData,
  descriptor: ActivityDescriptor | undefined,
  extraOutcomes: readonly string[],
  language: Language,
): NodeVisuals {
  const outcomes = descriptor ? outcomesOf(descriptor, data.inputs) : [];
  for (const extra of extraOutcomes) {
    if (!outcomes.includes(extra)) {
      outcomes.push(extra);
    }
  }
  const labelOf = (name: string) => {
    const declared = descriptor?.outcomes.find((o) => o.name === name);
    return clip(declared ? localized(declared.displayName, language) : name, 24);
  };
  const ports: PortItem[] = [{ id: IN_PORT, group: "in" }];
  outcomes.forEach((name, index) => {
    ports.push({
      id: OUT_PREFIX + name,
      group: "out",
      args: { x: NODE_WIDTH, y: NODE_HEADER + index * OUTCOME_ROW + OUTCOME_ROW / 2 },
      attrs: { text: { text: labelOf(name) } },
    });
  });
  const summary = summaryOf(descriptor, data.inputs);
  return {
    width: NODE_WIDTH,
    height: Math.max(NODE_MIN_HEIGHT, NODE_HEADER + outcomes.length * OUTCOME_ROW + 6),
    outcomes,
    ports,
    title: clip(descriptor ? localized(descriptor.displayName, language) : data.type, 26),
    subtitle: clip(summary ? `${id}: ${summary}` : id, 34),
    accent: categoryColor(descriptor?.category),
  };
}
