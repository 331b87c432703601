export interface ShortcutActions {
  undo(): void;
  redo(): void;
  copy(): void;
  paste(): void;
  remove(): void;
  selectAll(): void;
  save(): void;
}

function editable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement)
  );
}

/**
 * Ctrl/Cmd+Z, Ctrl+Y (or Ctrl+Shift+Z), Ctrl+C, Ctrl+V, Ctrl+A, Del/Backspace, Ctrl+S. In text fields only Ctrl+S
 * belongs to the designer; everything else keeps its usual meaning there (typing, text undo, copy).
 */
export function bindShortcuts(root: HTMLElement, actions: ShortcutActions): void {
  document.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === "s") {
      event.preventDefault();
      actions.save();
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
    }
  });
}
