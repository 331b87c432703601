import { categoryColor } from "./category-color";
import type { ActivityDescriptor, Language } from "./contract";
import { h } from "./dom";
import { localized } from "./localized";
import type { TextKey, Texts } from "./texts";

export interface ToolboxActions {
  /** Mouse down on an entry: start dragging a new node onto the canvas. */
  drag(type: string, event: MouseEvent): void;
  /** Enter/Space (or a click without drag): add the node in the middle of the visible canvas. */
  add(type: string): void;
}

const categoryOrder = ["Ablauf", "Dialog", "Logik", "Kalender", "Telefonie", "Integration"];

/** The toolbox: activities grouped by category with their German (or English) names, and a search box. */
export function renderToolbox(
  container: HTMLElement,
  descriptors: readonly ActivityDescriptor[],
  texts: Texts,
  language: Language,
  actions: ToolboxActions,
): void {
  const categories = [...new Set(descriptors.map((d) => d.category))].sort(
    (a, b) => (categoryOrder.indexOf(a) + 1 || 99) - (categoryOrder.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const categoryName = (c: string) => {
    const text = texts(`category.${c}` as TextKey);
    return text.startsWith("category.") ? c : text;
  };

  const search = h("input", {
    type: "search",
    class: "form-control form-control-sm",
    placeholder: texts("toolbox.searchPlaceholder"),
    "aria-label": texts("toolbox.search"),
    "data-testid": "toolbox-search",
    autocomplete: "off",
  });
  const empty = h("p", { class: "va-muted small", hidden: true }, texts("toolbox.none"));
  const groups = categories.map((category) => {
    const items = descriptors
      .filter((d) => d.category === category)
      .sort((a, b) => localized(a.displayName, language).localeCompare(localized(b.displayName, language), language))
      .map((d) => {
        const name = localized(d.displayName, language);
        const button = h(
          "button",
          {
            type: "button",
            class: "va-tool",
            "data-testid": `tool-${d.type}`,
            "data-type": d.type,
            "aria-label": texts("toolbox.add", name),
            title: localized(d.description, language),
            style: `--va-accent:${categoryColor(d.category)}`,
          },
          h("span", { class: "va-tool-name" }, name),
        );
        button.addEventListener("mousedown", (event) => {
          if (event.button === 0) {
            actions.drag(d.type, event);
          }
        });
        button.addEventListener("click", (event) => {
          // A drag that ends on the canvas never clicks the button; a plain click or Enter/Space does.
          if (event.detail === 0 || event.detail === 1) {
            actions.add(d.type);
          }
        });
        return { element: h("li", null, button), haystack: `${name} ${d.type} ${localized(d.description, language)}`.toLowerCase() };
      });
    const list = h("ul", { class: "va-tool-list" }, ...items.map((i) => i.element));
    const heading = h("h3", { class: "va-tool-category" }, categoryName(category));
    const section = h("section", { "aria-label": categoryName(category), "data-category": category }, heading, list);
    return { section, items };
  });

  search.addEventListener("input", () => {
    const query = search.value.trim().toLowerCase();
    let shown = 0;
    for (const group of groups) {
      let visible = 0;
      for (const item of group.items) {
        const match = query === "" || item.haystack.includes(query);
        item.element.hidden = !match;
        visible += match ? 1 : 0;
      }
      group.section.hidden = visible === 0;
      shown += visible;
    }
    empty.hidden = shown > 0;
  });

  container.replaceChildren(h("h2", { class: "va-panel-title" }, texts("toolbox.title")), search, empty, ...groups.map((g) => g.section));
}
