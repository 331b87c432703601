import type { ActivityDescriptor, FlowConnection, FlowDiff, JsonValue, Language } from "./contract";
import { h } from "./dom";
import { localized } from "./localized";
import type { Texts } from "./texts";

function valueText(value: JsonValue | undefined, texts: Texts): string {
  if (value === undefined || value === null || value === "") {
    return texts("diff.empty");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The difference between two versions as a person reads it: activities added/removed, inputs before → after, connections. */
export function renderDiff(
  diff: FlowDiff,
  from: number,
  to: number,
  descriptors: ReadonlyMap<string, ActivityDescriptor>,
  texts: Texts,
  language: Language,
): HTMLElement {
  const typeName = (type: string) => {
    const d = descriptors.get(type);
    return d ? localized(d.displayName, language) : type;
  };
  const inputName = (type: string, name: string) => {
    const input = descriptors.get(type)?.inputs.find((i) => i.name === name);
    return input ? localized(input.displayName, language) : name;
  };
  const outcomeName = (c: FlowConnection) => c.outcome;
  const connection = (c: FlowConnection) => `${c.from} – ${outcomeName(c)} → ${c.to}`;

  const sections: HTMLElement[] = [];
  const section = (title: string, testId: string, kind: string, items: HTMLElement[]) => {
    if (items.length > 0) {
      sections.push(
        h("section", { class: `va-diff-section va-diff-${kind}`, "data-testid": testId }, h("h4", null, title), h("ul", null, ...items)),
      );
    }
  };

  section(
    texts("diff.nodesAdded"),
    "diff-nodes-added",
    "added",
    (diff.nodesAdded ?? []).map((n) => h("li", null, h("code", null, n.id), ` (${typeName(n.type)})`)),
  );
  section(
    texts("diff.nodesRemoved"),
    "diff-nodes-removed",
    "removed",
    (diff.nodesRemoved ?? []).map((n) => h("li", null, h("code", null, n.id), ` (${typeName(n.type)})`)),
  );
  section(
    texts("diff.nodesChanged"),
    "diff-nodes-changed",
    "changed",
    (diff.nodesChanged ?? []).map((n) =>
      h(
        "li",
        { "data-node": n.id },
        h("code", null, n.id),
        n.typeBefore ? ` (${typeName(n.typeBefore)} → ${typeName(n.type)})` : ` (${typeName(n.type)})`,
        h(
          "dl",
          { class: "va-diff-inputs" },
          ...(n.inputs ?? []).flatMap((i) => [
            h("dt", null, inputName(n.type, i.name)),
            h(
              "dd",
              null,
              h("del", { class: "va-diff-before" }, valueText(i.before, texts)),
              " → ",
              h("ins", { class: "va-diff-after" }, valueText(i.after, texts)),
            ),
          ]),
        ),
      ),
    ),
  );
  section(
    texts("diff.connectionsAdded"),
    "diff-connections-added",
    "added",
    (diff.connectionsAdded ?? []).map((c) => h("li", null, connection(c))),
  );
  section(
    texts("diff.connectionsRemoved"),
    "diff-connections-removed",
    "removed",
    (diff.connectionsRemoved ?? []).map((c) => h("li", null, connection(c))),
  );

  section(
    texts("diff.variablesAdded"),
    "diff-variables-added",
    "added",
    (diff.variablesAdded ?? []).map((v) => h("li", null, h("code", null, v.name), ` = ${valueText(v.default, texts)}`)),
  );
  section(
    texts("diff.variablesRemoved"),
    "diff-variables-removed",
    "removed",
    (diff.variablesRemoved ?? []).map((v) => h("li", null, h("code", null, v.name))),
  );
  section(
    texts("diff.variablesChanged"),
    "diff-variables-changed",
    "changed",
    (diff.variablesChanged ?? []).map((v) =>
      h(
        "li",
        null,
        h("code", null, v.name),
        ": ",
        h("del", { class: "va-diff-before" }, valueText(v.before, texts)),
        " → ",
        h("ins", { class: "va-diff-after" }, valueText(v.after, texts)),
      ),
    ),
  );

  section(
    texts("diff.notesAdded"),
    "diff-notes-added",
    "added",
    (diff.notesAdded ?? []).map((n) => h("li", null, valueText(n.text, texts))),
  );
  section(
    texts("diff.notesRemoved"),
    "diff-notes-removed",
    "removed",
    (diff.notesRemoved ?? []).map((n) => h("li", null, valueText(n.text, texts))),
  );
  section(
    texts("diff.notesChanged"),
    "diff-notes-changed",
    "changed",
    (diff.notesChanged ?? []).map((n) =>
      h(
        "li",
        null,
        h("del", { class: "va-diff-before" }, valueText(n.before, texts)),
        " → ",
        h("ins", { class: "va-diff-after" }, valueText(n.after, texts)),
      ),
    ),
  );

  return h(
    "div",
    { class: "va-diff", "data-testid": "diff-view" },
    h("h3", { class: "va-section-title" }, texts("diff.title", from, to)),
    ...(sections.length > 0 ? sections : [h("p", { class: "va-muted" }, texts("diff.none"))]),
  );
}
