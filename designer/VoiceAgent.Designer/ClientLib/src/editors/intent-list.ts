import type { JsonValue } from "../contract";
import { h } from "../dom";
import type { EditorContext } from "./editor-context";

/** The intents an activity distinguishes (each becomes an outcome): the tenant's known intents as checkboxes, plus own ones. */
export function intentListEditor(context: EditorContext): HTMLElement {
  const stored = context.value ?? context.input.default;
  let selected: string[] = Array.isArray(stored) ? (stored as JsonValue[]).map(String) : [];
  const known = context.options.intents.map((i) => ({ value: i.value, label: i.label }));
  const labelOf = (value: string) => known.find((k) => k.value === value)?.label ?? value;
  const box = h("div", { class: "va-intents" });

  function render() {
    const values = [...known.map((k) => k.value), ...selected.filter((s) => !known.some((k) => k.value === s))];
    box.replaceChildren(
      ...values.map((value, index) => {
        const id = index === 0 ? context.id : `${context.id}-${index}`;
        const checkbox = h("input", {
          type: "checkbox",
          class: "form-check-input",
          id,
          value,
          checked: selected.includes(value),
          "aria-describedby": context.describedBy,
          "data-intent": value,
        });
        checkbox.addEventListener("change", () => {
          selected = checkbox.checked ? [...selected, value] : selected.filter((s) => s !== value);
          context.commit(selected);
        });
        return h(
          "div",
          { class: "form-check mb-1" },
          checkbox,
          h(
            "label",
            { class: "form-check-label", for: id },
            labelOf(value),
            value !== labelOf(value) ? h("code", { class: "ms-1 small" }, value) : null,
          ),
        );
      }),
    );
  }

  const custom = h("input", {
    type: "text",
    class: "form-control form-control-sm",
    id: `${context.id}-custom`,
    placeholder: "z_b_rueckruf",
    "aria-label": context.texts("editor.addIntent"),
    pattern: "[a-z][a-z0-9_]*",
    autocomplete: "off",
  });
  const add = h("button", { type: "button", class: "btn btn-sm btn-outline-primary" }, context.texts("editor.addIntentButton"));
  const addCustom = () => {
    const value = custom.value.trim();
    if (value !== "" && !selected.includes(value)) {
      selected = [...selected, value];
      custom.value = "";
      render();
      context.commit(selected);
    }
  };
  add.addEventListener("click", addCustom);
  custom.addEventListener("keydown", (e) => {
    if ((e as KeyboardEvent).key === "Enter") {
      e.preventDefault();
      addCustom();
    }
  });

  render();
  return h(
    "div",
    { role: "group", "aria-labelledby": context.labelId },
    box,
    h("div", { class: "input-group input-group-sm mt-1" }, custom, add),
  );
}
