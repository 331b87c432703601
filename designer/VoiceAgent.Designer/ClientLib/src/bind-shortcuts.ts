export interface ShortcutActions {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  remove(): void;
  selectAll(): void;
  save(): void;
  /** Arrow keys: move the selection by dx, dy grid steps; false when there was nothing to move. */
  nudge(dx: number, dy: number, large: boolean): boolean;
  /** An arrow key was released. */
  nudged(): void;
  /** Ctrl+F: to the search box. */
  find(): void;
}

const arrows: Record<string, [number, number]> = {
  arrowleft: [-1, 0],
  arrowright: [1, 0],
  arrowup: [0, -1],
  arrowdown: [0, 1],
};

function editable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement)
  );
}

/** Focus on the canvas, the toolbar or nowhere in particular: arrow keys move the selection (elsewhere they scroll,
 *  switch tabs or move in a list). */
function arrowsMoveSelection(root: HTMLElement, target: EventTarget | null): boolean {
  if (!(target instanceof Element) || target === document.body) {
    return true;
  }
  return !!target.closest('[data-region="canvas"], [data-region="toolbar"]') && root.contains(target);
}

/**
 * Ctrl/Cmd+Z, Ctrl+Y (or Ctrl+Shift+Z), Ctrl+C, Ctrl+V, Ctrl+A, Del/Backspace, Ctrl+S, Ctrl+F, arrow keys (Shift: ten
 * grid steps). In text fields only Ctrl+S and Ctrl+F belong to the designer; everything else keeps its usual meaning
 * there (typing, moving the caret, text undo, copy).
 */
export function bindShortcuts(root: HTMLElement, actions: ShortcutActions): () => void {
  const up = (event: KeyboardEvent) => {
    if (event.key.toLowerCase() in arrows) {
      actions.nudged();
    }
  };
  const down = (event: KeyboardEvent) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (!(key in arrows)) {
      actions.nudged();
    }
    if (mod && key === "s") {
      event.preventDefault();
      actions.save();
      return;
    }
    const inDesigner = !(event.target instanceof Node) || event.target === document.body || root.contains(event.target);
    if (mod && key === "f" && inDesigner && !event.altKey) {
      event.preventDefault();
      actions.find();
      return;
    }
    if (editable(event.target) || event.altKey) {
      return;
    }
    // Outside the designer (e.g. the page header) nothing is intercepted.
    if (event.target instanceof Node && event.target !== document.body && !root.contains(event.target)) {
      return;
    }
    if (mod && key === "z") {
      event.preventDefault();
      if (event.shiftKey) {
        actions.redo();
      } else {
        actions.undo();
      }
    } else if (mod && key === "y") {
      event.preventDefault();
      actions.redo();
    } else if (mod && key === "c") {
      event.preventDefault();
      actions.copy();
    } else if (mod && key === "v") {
      event.preventDefault();
      actions.paste();
    } else if (mod && key === "a") {
      event.preventDefault();
      actions.selectAll();
    } else if (!mod && (key === "delete" || key === "backspace")) {
      event.preventDefault();
      actions.remove();
    } else if (!mod && key in arrows && arrowsMoveSelection(root, event.target)) {
      const [dx, dy] = arrows[key]!;
      if (actions.nudge(dx, dy, event.shiftKey)) {
        event.preventDefault();
      }
    }
  };
  document.addEventListener("keyup", up);
  document.addEventListener("keydown", down);
  return () => {
    document.removeEventListener("keyup", up);
    document.removeEventListener("keydown", down);
  };
}
