import type { Cell, Edge, Node } from "@antv/x6";
import type { InputDescriptor, JsonValue, NodeData, ValidationError } from "./contract";
import type { DesignerContext } from "./designer-context";
import { h } from "./dom";
import { edgeMetadata } from "./edge-metadata";
import type { EditorContext } from "./editors/editor-context";
import { editorFor } from "./editors/registry";
import { createNoteEditor, type NoteEditor } from "./create-note-editor";
import { NODE_SHAPE, NOTE_SHAPE, OUT_PREFIX } from "./geometry";
import { localized } from "./localized";
import { nodeVisuals } from "./node-visuals";

export interface PropertiesPanel {
  /** Shows the current selection (called when the selection changes or the selected node changed by undo/redo). */
  render(): void;
  /** Updates the error lists only, so a field being typed in keeps its focus. */
  showErrors(): void;
  /** Turns a pending preview (typed but not yet committed) into an undo step. */
  commitPending(): void;
}

function withInput(data: NodeData, name: string, value: JsonValue | undefined): NodeData {
  const inputs = { ...data.inputs };
  if (value === undefined) {
    delete inputs[name];
  } else {
    inputs[name] = value;
  }
  return { type: data.type, inputs };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The property panel: for one selected node an editor per input (chosen by UI hint), its outcome targets and its
 * errors; for a connection its ends; for nothing the flow's errors.
 */
export function createPropertiesPanel(container: HTMLElement, context: DesignerContext): PropertiesPanel {
  const { graph, texts, language } = context;
  let shown: Node | null = null;
  let baseline: NodeData | null = null;
  let committing = false;
  let nodeErrors: HTMLElement | null = null;
  let flowErrors: HTMLElement | null = null;
  let note: { node: Node; editor: NoteEditor } | null = null;
  const activities = () => graph.getNodes().filter((n) => n.shape === NODE_SHAPE);

  function commitData(node: Node, next: NodeData, removedOutcomes: readonly string[]) {
    committing = true;
    try {
      graph.startBatch("edit-input");
      // Connections of outcomes that disappear (an intent removed) go first, so undo brings the port back before them.
      for (const edge of graph.getConnectedEdges(node, { outgoing: true })) {
        const port = edge.getSourcePortId() ?? "";
        if (removedOutcomes.includes(port.slice(OUT_PREFIX.length))) {
          edge.remove();
        }
      }
      if (baseline) {
        node.setData(baseline, { silent: true, overwrite: true });
      }
      node.setData(next, { overwrite: true });
      graph.stopBatch("edit-input");
    } finally {
      committing = false;
    }
    baseline = structuredClone(next);
  }

  function outcomesFor(node: Node, data: NodeData): string[] {
    return nodeVisuals(node.id, data, context.descriptors.get(data.type), [], language).outcomes;
  }

  function commitPending() {
    note?.editor.commitPending();
    if (!shown || !baseline || !graph.hasCell(shown.id)) {
      return;
    }
    const current = shown.getData<NodeData>();
    if (!same(current, baseline)) {
      commitData(shown, structuredClone(current), []);
    }
  }

  function editorContext(node: Node, input: InputDescriptor): EditorContext {
    const id = `va-in-${input.name}`;
    return {
      id,
      labelId: `${id}-label`,
      describedBy: `${id}-hint`,
      input,
      value: node.getData<NodeData>().inputs[input.name],
      texts,
      language,
      options: context.options,
      variables: context.variables,
      preview(value) {
        const next = withInput(node.getData<NodeData>(), input.name, value);
        node.setData(next, { silent: true, overwrite: true });
        // Silent: no history entry; the canvas label and validation follow anyway.
        graph.trigger("va:preview", { node });
        context.changed();
      },
      commit(value) {
        const current = node.getData<NodeData>();
        const next = withInput(current, input.name, value);
        if (baseline && same(next, baseline)) {
          node.setData(baseline, { silent: true, overwrite: true });
          graph.trigger("va:preview", { node });
          return;
        }
        const before = outcomesFor(node, baseline ?? current);
        const after = outcomesFor(node, next);
        commitData(
          node,
          next,
          before.filter((o) => !after.includes(o)),
        );
      },
    };
  }

  function errorList(errors: readonly ValidationError[], testId: string, withNode: boolean): HTMLElement {
    if (errors.length === 0) {
      return h("p", { class: "va-ok small", "data-testid": testId, "data-count": 0 }, withNode ? texts("props.flowValid") : "");
    }
    return h(
      "ul",
      { class: "va-errors", "data-testid": testId, "data-count": errors.length },
      ...errors.map((e) => {
        const text = withNode && e.nodeId ? `${e.nodeId}: ${e.message}` : e.message;
        if (withNode && e.nodeId && graph.hasCell(e.nodeId)) {
          const nodeId = e.nodeId;
          return h(
            "li",
            null,
            h(
              "button",
              { type: "button", class: "btn btn-link p-0 text-start va-error-link", onclick: () => context.focusNode(nodeId) },
              text,
            ),
          );
        }
        return h("li", null, text);
      }),
    );
  }

  function renderNothing() {
    flowErrors = h("div", { "aria-live": "polite" });
    // Keyboard users (and large flows) reach any node from here.
    const find = h(
      "select",
      { id: "va-find-node", class: "form-select form-select-sm", "data-testid": "find-node" },
      h("option", { value: "" }, "—"),
      ...activities()
        .map((n) => n.id)
        .sort((a, b) => a.localeCompare(b))
        .map((id) => h("option", { value: id }, nodeLabel(id))),
    );
    find.addEventListener("change", () => {
      if (find.value) {
        context.focusNode(find.value);
      }
    });
    container.replaceChildren(
      h("h2", { class: "va-panel-title" }, context.config.flowName),
      h("p", { class: "va-muted small" }, texts("props.nothing")),
      h("div", { class: "va-field" }, h("label", { for: find.id, class: "form-label" }, texts("props.find")), find),
      h("h3", { class: "va-section-title" }, texts("props.flowProblems")),
      flowErrors,
    );
    showErrors();
  }

  function renderMany(cells: Cell[]) {
    const remove = h(
      "button",
      { type: "button", class: "btn btn-sm btn-outline-danger", "data-testid": "delete-selection" },
      texts("props.deleteSelection"),
    );
    remove.addEventListener("click", () => graph.removeCells(graph.getSelectedCells()));
    container.replaceChildren(h("p", { "data-testid": "selection-count" }, texts("props.many", cells.length)), remove);
  }

  function nodeLabel(id: string | null): string {
    if (!id) {
      return "?";
    }
    const cell = graph.getCellById(id);
    const data = cell?.isNode() ? cell.getData<NodeData>() : null;
    const descriptor = data ? context.descriptors.get(data.type) : undefined;
    return descriptor ? `${id} (${localized(descriptor.displayName, language)})` : id;
  }

  function renderEdge(edge: Edge) {
    const port = edge.getSourcePortId() ?? "";
    const remove = h(
      "button",
      { type: "button", class: "btn btn-sm btn-outline-danger", "data-testid": "delete-edge" },
      texts("props.deleteEdge"),
    );
    remove.addEventListener("click", () => graph.removeCells([edge]));
    container.replaceChildren(
      h("h2", { class: "va-panel-title" }, texts("props.edge")),
      h(
        "p",
        { "data-testid": "edge-text" },
        texts("props.edgeText", nodeLabel(edge.getSourceCellId()), port.slice(OUT_PREFIX.length), nodeLabel(edge.getTargetCellId())),
      ),
      remove,
    );
  }

  function outcomeSelect(node: Node, outcome: string, label: string, index: number): HTMLElement {
    const id = `va-out-${index}`;
    const current = graph.getConnectedEdges(node, { outgoing: true }).find((e) => e.getSourcePortId() === OUT_PREFIX + outcome);
    const select = h(
      "select",
      { id, class: "form-select form-select-sm", "data-testid": `outcome-${outcome}` },
      h("option", { value: "" }, texts("props.unconnected")),
      ...activities()
        .map((n) => n.id)
        .sort((a, b) => a.localeCompare(b))
        .map((target) => h("option", { value: target }, nodeLabel(target))),
    );
    select.value = current?.getTargetCellId() ?? "";
    select.addEventListener("change", () => {
      graph.startBatch("connect-outcome");
      for (const edge of graph.getConnectedEdges(node, { outgoing: true })) {
        if (edge.getSourcePortId() === OUT_PREFIX + outcome) {
          edge.remove();
        }
      }
      if (select.value) {
        graph.addEdge(edgeMetadata({ from: node.id, outcome, to: select.value }));
      }
      graph.stopBatch("connect-outcome");
    });
    return h("div", { class: "va-field" }, h("label", { for: id, class: "form-label" }, texts("props.outcomeTarget", label)), select);
  }

  function renderNode(node: Node) {
    const data = node.getData<NodeData>();
    const descriptor = context.descriptors.get(data.type);
    baseline = structuredClone(data);
    nodeErrors = h("div", { "aria-live": "polite" });

    const parts: (HTMLElement | null)[] = [
      h(
        "h2",
        { class: "va-panel-title", "data-testid": "props-title" },
        descriptor ? localized(descriptor.displayName, language) : texts("props.unknownType", data.type),
      ),
      descriptor ? h("p", { class: "va-muted small" }, localized(descriptor.description, language)) : null,
      h(
        "div",
        { class: "va-id small" },
        h("span", { class: "va-muted" }, `${texts("props.id")}: `),
        h("code", { "data-testid": "props-id" }, node.id),
      ),
      nodeErrors,
    ];

    if (descriptor && descriptor.inputs.length > 0) {
      parts.push(h("h3", { class: "va-section-title" }, texts("props.inputs")));
      for (const input of descriptor.inputs) {
        const ctx = editorContext(node, input);
        const description = localized(input.description, language);
        parts.push(
          h(
            "div",
            { class: "va-field", "data-testid": `field-${input.name}`, "data-hint": input.uiHint },
            h(
              "label",
              { id: ctx.labelId, for: ctx.id, class: `form-label${input.required ? " required" : ""}` },
              localized(input.displayName, language),
            ),
            editorFor(input.uiHint)(ctx),
            h("div", { id: ctx.describedBy, class: "form-hint" }, description),
          ),
        );
      }
    }

    const outcomes = outcomesFor(node, data);
    if (outcomes.length > 0) {
      parts.push(h("h3", { class: "va-section-title" }, texts("props.outcomes")));
      outcomes.forEach((outcome, index) => {
        const declared = descriptor?.outcomes.find((o) => o.name === outcome);
        parts.push(outcomeSelect(node, outcome, declared ? localized(declared.displayName, language) : outcome, index));
      });
    }

    container.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    showErrors();
  }

  function render() {
    commitPending();
    const cells = graph.getSelectedCells();
    shown = null;
    baseline = null;
    nodeErrors = null;
    flowErrors = null;
    note = null;
    if (cells.length === 0) {
      renderNothing();
    } else if (cells.length > 1) {
      renderMany(cells);
    } else if (cells[0]!.shape === NOTE_SHAPE) {
      const node = cells[0] as Node;
      note = { node, editor: createNoteEditor(node, context) };
      container.replaceChildren(note.editor.element);
    } else if (cells[0]!.isNode()) {
      shown = cells[0] as Node;
      renderNode(shown);
    } else {
      renderEdge(cells[0] as Edge);
    }
  }

  function showErrors() {
    const errors = context.errors();
    if (nodeErrors && shown) {
      const id = shown.id;
      const own = errors.filter((e) => e.nodeId === id);
      nodeErrors.replaceChildren(
        ...(own.length > 0
          ? [h("h3", { class: "va-section-title text-danger" }, texts("props.errors")), errorList(own, "node-errors", false)]
          : []),
      );
    }
    if (flowErrors) {
      flowErrors.replaceChildren(errorList(errors, "flow-problems", true));
    }
  }

  // An undo/redo that changes the node on display: show its values (unless we caused the change ourselves).
  graph.on("node:change:data", ({ node }: { node: Node }) => {
    if (!committing && shown && node.id === shown.id) {
      baseline = null;
      render();
    } else if (note && !note.editor.committing && node.id === note.node.id) {
      note = null;
      render();
    }
  });

  return { render, showErrors, commitPending };
}
