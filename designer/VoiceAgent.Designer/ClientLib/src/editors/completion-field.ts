import { h } from "../dom";
import { bindText } from "./bind-text";
import { displayValue } from "./display-value";
import type { EditorContext } from "./editor-context";

export type CompletionMode = "template" | "expression";

const MAX_ITEMS = 8;

/**
 * A text field (input or textarea) with variable completion, as an ARIA combobox.
 * Template mode: typing "{{" offers variables and inserts "{{ name }}". Expression mode: a word being typed is completed.
 * Arrow keys choose, Enter/Tab insert, Escape closes.
 */
export function completionField(context: EditorContext, multiline: boolean, mode: CompletionMode): HTMLElement {
  const listId = `${context.id}-completions`;
  const control: HTMLInputElement | HTMLTextAreaElement = multiline
    ? h("textarea", { class: "form-control form-control-sm", rows: 4, spellcheck: "true" })
    : h("input", {
        type: "text",
        class: "form-control form-control-sm",
        autocomplete: "off",
        spellcheck: mode === "template" ? "true" : "false",
      });
  if (mode === "expression") {
    control.classList.add("font-monospace");
  }
  control.value = displayValue(context.value);
  control.placeholder = displayValue(context.input.default ?? undefined);
  control.setAttribute("role", "combobox");
  control.setAttribute("aria-autocomplete", "list");
  control.setAttribute("aria-expanded", "false");
  control.setAttribute("aria-controls", listId);
  bindText(control, context);

  const list = h("ul", {
    id: listId,
    role: "listbox",
    class: "va-completions",
    hidden: true,
    "aria-label": context.texts("editor.variables"),
  });
  let items: string[] = [];
  let active = -1;
  let replaceFrom = 0;

  function close() {
    list.hidden = true;
    items = [];
    active = -1;
    control.setAttribute("aria-expanded", "false");
    control.removeAttribute("aria-activedescendant");
  }

  function highlight(index: number) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index >= 0) {
      control.setAttribute("aria-activedescendant", `${listId}-${index}`);
    }
  }

  function accept(index: number) {
    const name = items[index];
    if (name === undefined) {
      return;
    }
    const caret = control.selectionStart ?? control.value.length;
    const before = control.value.slice(0, replaceFrom);
    const after = control.value.slice(caret);
    const insert = mode === "template" ? `{{ ${name} }}` : name;
    const prefix = mode === "template" ? before.replace(/\{\{\s*$/, "") : before;
    control.value = prefix + insert + after;
    const position = (prefix + insert).length;
    control.setSelectionRange(position, position);
    close();
    context.commit(control.value === "" ? undefined : control.value);
  }

  function update() {
    const caret = control.selectionStart ?? control.value.length;
    const head = control.value.slice(0, caret);
    const match = mode === "template" ? /\{\{\s*([A-Za-z0-9_.]*)$/.exec(head) : /(^|[^A-Za-z0-9_."'])([A-Za-z_][A-Za-z0-9_.]*)$/.exec(head);
    if (!match) {
      close();
      return;
    }
    const word = (mode === "template" ? match[1] : match[2]) ?? "";
    replaceFrom = caret - word.length;
    const lower = word.toLowerCase();
    items = context
      .variables()
      .filter((v) => v.toLowerCase().startsWith(lower) && v !== word)
      .slice(0, MAX_ITEMS);
    if (items.length === 0) {
      close();
      return;
    }
    list.replaceChildren(
      ...items.map((name, i) => {
        const option = h("li", { id: `${listId}-${i}`, role: "option", "aria-selected": "false", "data-value": name }, name);
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          accept(i);
        });
        return option;
      }),
    );
    list.hidden = false;
    control.setAttribute("aria-expanded", "true");
    highlight(0);
  }

  control.addEventListener("input", update);
  control.addEventListener("keydown", (event) => {
    if (list.hidden) {
      return;
    }
    const e = event as KeyboardEvent;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      accept(active);
    } else if (e.key === "Escape") {
      e.preventDefault();
      close();
    }
  });
  control.addEventListener("blur", () => close());

  return h("div", { class: "va-completion" }, control, list);
}
