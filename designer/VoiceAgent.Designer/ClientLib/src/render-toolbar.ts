import { h } from "./dom";
import { icon } from "./icon";
import type { TextKey, Texts } from "./texts";

export interface ToolbarActions {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  remove(): void;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  layout(): void;
  note(): void;
  import(): void;
  export(): void;
  save(): void;
  problems(): void;
}

export interface Toolbar {
  setHistory(canUndo: boolean, canRedo: boolean): void;
  setProblems(count: number): void;
}

/** action, label, and whether the button shows an icon (else its short label). */
type Spec = [keyof ToolbarActions, TextKey, boolean];

const groups: Spec[][] = [
  [
    ["undo", "toolbar.undo", true],
    ["redo", "toolbar.redo", true],
  ],
  [
    ["copy", "toolbar.copy", true],
    ["paste", "toolbar.paste", true],
    ["remove", "toolbar.delete", true],
  ],
  [
    ["zoomOut", "toolbar.zoomOut", true],
    ["zoomIn", "toolbar.zoomIn", true],
    ["fit", "toolbar.fit", true],
    ["layout", "toolbar.layout", true],
    ["note", "toolbar.note", true],
  ],
  [
    ["import", "toolbar.import", false],
    ["export", "toolbar.export", false],
    ["save", "toolbar.save", false],
  ],
];

/** The toolbar: symbol buttons with German (or English) labels and tooltips; the error counter opens the error list. */
export function renderToolbar(container: HTMLElement, texts: Texts, actions: ToolbarActions): Toolbar {
  const buttons = new Map<string, HTMLButtonElement>();
  const make = ([action, key, withIcon]: Spec) => {
    const label = texts(key);
    const short = label.replace(/\s*\(.*\)$/, "");
    const button = h(
      "button",
      { type: "button", class: "btn btn-sm btn-outline-secondary", title: label, "aria-label": short, "data-testid": `toolbar-${action}` },
      withIcon ? icon(action) : short,
    );
    button.addEventListener("click", () => actions[action]());
    buttons.set(action, button);
    return button;
  };
  const problems = h(
    "button",
    { type: "button", class: "btn btn-sm btn-outline-success va-problems", "data-testid": "toolbar-problems", "aria-live": "polite" },
    texts("toolbar.noProblems"),
  );
  problems.addEventListener("click", () => actions.problems());

  container.replaceChildren(...groups.map((g) => h("div", { class: "btn-group", role: "group" }, ...g.map(make))), problems);

  return {
    setHistory(canUndo, canRedo) {
      buttons.get("undo")!.disabled = !canUndo;
      buttons.get("redo")!.disabled = !canRedo;
    },
    setProblems(count) {
      problems.textContent = count === 0 ? texts("toolbar.noProblems") : texts("toolbar.problems", count);
      problems.dataset.count = String(count);
      problems.classList.toggle("btn-outline-success", count === 0);
      problems.classList.toggle("btn-outline-danger", count > 0);
    },
  };
}
