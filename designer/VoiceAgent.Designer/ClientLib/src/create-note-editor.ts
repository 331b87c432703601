import type { Node } from "@antv/x6";
import type { NoteData } from "./contract";
import type { DesignerContext } from "./designer-context";
import { h } from "./dom";
import { NOTE_MAX_TEXT } from "./geometry";

export interface NoteEditor {
  element: HTMLElement;
  /** Turns typed but not yet committed text into an undo step. */
  commitPending(): void;
  /** True while the editor itself changes the note (so the panel does not redraw under the caret). */
  readonly committing: boolean;
}

/**
 * The property panel for a selected note: its text (typing shows on the canvas at once; leaving the field makes it one
 * undo step, as with activity properties) and a delete button.
 */
export function createNoteEditor(node: Node, context: DesignerContext): NoteEditor {
  const { graph, texts } = context;
  let baseline = node.getData<NoteData>().text ?? "";
  let committing = false;

  const field = h("textarea", {
    id: "va-note-text",
    class: "form-control va-note-text",
    rows: 8,
    maxlength: NOTE_MAX_TEXT,
    "aria-describedby": "va-note-hint",
    "data-testid": "note-text",
  });
  field.value = baseline;
  const hint = h("div", { id: "va-note-hint", class: "form-hint" });
  const showCount = () => {
    hint.textContent = texts("note.hint", field.value.length, NOTE_MAX_TEXT);
  };
  showCount();

  const commitPending = () => {
    if (!graph.hasCell(node.id)) {
      return;
    }
    const text = node.getData<NoteData>().text ?? "";
    if (text === baseline) {
      return;
    }
    committing = true;
    try {
      // The preview changed the data silently; the undo step goes from the text before typing to the text now.
      node.setData({ text: baseline }, { silent: true, overwrite: true });
      node.setData({ text }, { overwrite: true });
    } finally {
      committing = false;
    }
    baseline = text;
  };

  field.addEventListener("input", () => {
    node.setData({ text: field.value }, { silent: true, overwrite: true });
    graph.trigger("va:preview", { node });
    showCount();
    context.changed();
  });
  field.addEventListener("change", commitPending);

  const remove = h("button", { type: "button", class: "btn btn-sm btn-outline-danger", "data-testid": "delete-note" }, texts("note.delete"));
  remove.addEventListener("click", () => {
    commitPending();
    graph.removeCells([node]);
  });

  const element = h(
    "div",
    null,
    h("h2", { class: "va-panel-title", "data-testid": "props-title" }, texts("note.title")),
    h("div", { class: "va-field" }, h("label", { for: field.id, class: "form-label" }, texts("note.text")), field, hint),
    remove,
  );
  return {
    element,
    commitPending,
    get committing() {
      return committing;
    },
  };
}
