import type { Problem } from "./contract";

/** The German (or English) text of a problem: detail, else title, plus any field or validation errors. */
export function problemText(problem: Problem): string {
  const parts: string[] = [];
  const head = problem.detail || problem.title;
  if (head) {
    parts.push(head);
  }
  const errors = problem.errors;
  if (Array.isArray(errors)) {
    parts.push(...errors.map((e) => (e.nodeId ? `${e.nodeId}: ${e.message}` : e.message)));
  } else if (errors && typeof errors === "object") {
    for (const messages of Object.values(errors)) {
      if (Array.isArray(messages)) {
        parts.push(...messages.map(String));
      }
    }
  }
  return [...new Set(parts)].join(" ");
}
