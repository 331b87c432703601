import type { ActivityDescriptor, JsonValue } from "./contract";

/**
 * The outcomes of a node: the declared ones, preceded by the entries of the list input named by outcomesFromInput
 * (e.g. Ask's intents). Mirrors ActivityType.OutcomesOf on the server.
 */
export function outcomesOf(descriptor: ActivityDescriptor, inputs: Record<string, JsonValue>): string[] {
  const outcomes = descriptor.outcomes.map((o) => o.name);
  const listName = descriptor.outcomesFromInput;
  const list = listName ? inputs[listName] : undefined;
  if (Array.isArray(list)) {
    const extra: string[] = [];
    for (const item of list) {
      const name = item === null ? "" : typeof item === "object" ? JSON.stringify(item) : String(item);
      if (name.length > 0 && !outcomes.includes(name) && !extra.includes(name)) {
        extra.push(name);
      }
    }
    outcomes.unshift(...extra);
  }
  return outcomes;
}
