import { h } from "./dom";

export type Notify = (message: string, kind: "success" | "danger" | "info") => void;

/** Messages above the canvas; successes fade after a while, errors stay until closed or replaced. */
export function createNotifier(area: HTMLElement, closeLabel: string): Notify {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (message, kind) => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const close = h("button", { type: "button", class: "btn-close", "aria-label": closeLabel });
    const alert = h(
      "div",
      {
        class: `alert alert-${kind} va-alert`,
        role: kind === "danger" ? "alert" : "status",
        "data-testid": "designer-message",
        "data-kind": kind,
      },
      h("span", null, message),
      close,
    );
    close.addEventListener("click", () => alert.remove());
    area.replaceChildren(alert);
    if (kind === "success") {
      timer = setTimeout(() => alert.remove(), 8000);
    }
  };
}
