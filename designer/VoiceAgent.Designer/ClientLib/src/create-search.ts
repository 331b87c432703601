import { h } from "./dom";
import type { Texts } from "./texts";

export interface Search {
  element: HTMLElement;
  /** Ctrl+F: into the search box, its text selected. */
  focus(): void;
}

export interface SearchActions {
  /** The cell ids matching a query, in the order Enter steps through them. */
  find(query: string): string[];
  /** Select and show a match. */
  jump(id: string): void;
  /** Escape: back to the canvas. */
  leave(): void;
}

/**
 * The search box in the toolbar: typing jumps to the first node whose text matches, Enter to the next one
 * (Shift+Enter: the previous one), Escape clears it and returns to the canvas. A counter says "2 von 5".
 */
export function createSearch(texts: Texts, actions: SearchActions): Search {
  const input = h("input", {
    type: "search",
    class: "form-control form-control-sm va-search-input",
    placeholder: texts("search.placeholder"),
    "aria-label": texts("search.label"),
    title: texts("search.label"),
    autocomplete: "off",
    "data-testid": "canvas-search",
  });
  const count = h("span", { class: "va-search-count", role: "status", "aria-live": "polite", "data-testid": "search-count" });
  let matches: string[] = [];
  let index = -1;

  const show = () => {
    const query = input.value.trim();
    count.textContent =
      query === "" ? "" : matches.length === 0 ? texts("search.none") : texts("search.count", index + 1, matches.length);
    count.dataset.count = String(matches.length);
  };

  input.addEventListener("input", () => {
    matches = actions.find(input.value);
    index = matches.length > 0 ? 0 : -1;
    if (index >= 0) {
      actions.jump(matches[index]!);
    }
    show();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const current = matches[index];
      matches = actions.find(input.value);
      if (matches.length > 0) {
        const at = current === undefined ? -1 : matches.indexOf(current);
        const step = event.shiftKey ? -1 : 1;
        index = at < 0 ? 0 : (at + step + matches.length) % matches.length;
        actions.jump(matches[index]!);
      } else {
        index = -1;
      }
      show();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.value = "";
      matches = [];
      index = -1;
      show();
      actions.leave();
    }
  });

  return {
    element: h("div", { class: "va-search", role: "search" }, input, count),
    focus() {
      input.focus();
      input.select();
    },
  };
}
