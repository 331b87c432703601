type Child = Node | string | null | undefined | false;

export interface ElementProps {
  [attribute: string]: string | number | boolean | null | undefined | ((event: Event) => void);
}

/**
 * Creates an element: attributes (false/null/undefined are left out, true becomes ""), `on<event>` handlers and
 * children. Text is always set as text, never parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (typeof value === "function") {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (
      name === "value" &&
      (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement)
    ) {
      element.value = String(value ?? "");
    } else if (name === "checked" && element instanceof HTMLInputElement) {
      element.checked = value === true;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child);
    }
  }
  return element;
}
