import { h } from "./dom";

export interface Tabs {
  show(name: string): void;
  panel(name: string): HTMLElement;
}

/** An ARIA tab list (arrow keys move between tabs) with one panel per tab. */
export function createTabs(container: HTMLElement, label: string, tabs: readonly { name: string; title: string }[]): Tabs {
  const buttons = new Map<string, HTMLButtonElement>();
  const panels = new Map<string, HTMLElement>();
  const list = h("div", { role: "tablist", "aria-label": label, class: "va-tabs" });

  function show(name: string) {
    for (const [key, button] of buttons) {
      const selected = key === name;
      button.setAttribute("aria-selected", selected ? "true" : "false");
      button.tabIndex = selected ? 0 : -1;
      panels.get(key)!.hidden = !selected;
    }
  }

  tabs.forEach((tab, index) => {
    const button = h(
      "button",
      {
        type: "button",
        role: "tab",
        id: `va-tab-${tab.name}`,
        "aria-controls": `va-panel-${tab.name}`,
        "data-testid": `tab-${tab.name}`,
        class: "va-tab",
      },
      tab.title,
    );
    button.addEventListener("click", () => show(tab.name));
    button.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step !== 0) {
        const next = tabs[(index + step + tabs.length) % tabs.length]!;
        show(next.name);
        buttons.get(next.name)!.focus();
      }
    });
    buttons.set(tab.name, button);
    list.append(button);
    panels.set(
      tab.name,
      h("div", {
        role: "tabpanel",
        id: `va-panel-${tab.name}`,
        "aria-labelledby": `va-tab-${tab.name}`,
        class: "va-tab-panel",
        "data-testid": `panel-${tab.name}`,
      }),
    );
  });

  container.replaceChildren(list, ...panels.values());
  show(tabs[0]!.name);
  return { show, panel: (name) => panels.get(name)! };
}
