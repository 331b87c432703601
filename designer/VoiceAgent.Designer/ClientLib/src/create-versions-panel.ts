import type { ApiResult, VersionSummary } from "./contract";
import type { DesignerContext } from "./designer-context";
import { h } from "./dom";
import { downloadText } from "./download-text";
import { problemText } from "./problem-text";
import { renderDiff } from "./render-diff";
import type { TextKey } from "./texts";

export interface VersionsPanel {
  /** Reloads the version list from the server. */
  refresh(): Promise<void>;
  /** Redraws the list (the canvas' errors changed, so publishing may be blocked or free now). */
  redraw(): void;
}

export interface VersionsActions {
  /** Opens another version in the editor. */
  open(version: number): void;
  /** The open version's status may have changed (publish, rollback). */
  statusChanged(): void;
}

/**
 * History of the flow's versions with stage, publish (confirm step; blocked while the canvas has errors), rollback and
 * export, plus a readable diff between any two versions.
 */
export function createVersionsPanel(container: HTMLElement, context: DesignerContext, actions: VersionsActions): VersionsPanel {
  const { bridge, texts, language, session } = context;
  const dates = new Intl.DateTimeFormat(language === "en" ? "en-GB" : "de-DE", { dateStyle: "short", timeStyle: "short" });
  const date = (iso: string | null) => (iso ? dates.format(new Date(iso)) : "");
  let versions: VersionSummary[] = [];

  const list = h("ol", { class: "va-versions", "data-testid": "versions-list", reversed: true });
  const fromSelect = h("select", { class: "form-select form-select-sm", id: "va-diff-from", "data-testid": "diff-from" });
  const toSelect = h("select", { class: "form-select form-select-sm", id: "va-diff-to", "data-testid": "diff-to" });
  const compare = h(
    "button",
    { type: "button", class: "btn btn-sm btn-outline-primary", "data-testid": "diff-compare" },
    texts("versions.compare"),
  );
  const diffArea = h("div", { "aria-live": "polite" });

  compare.addEventListener("click", async () => {
    const from = Number(fromSelect.value);
    const to = Number(toSelect.value);
    if (!from || !to) {
      return;
    }
    if (to === session.version) {
      await context.flushSave();
    }
    const result = await bridge.diff(from, to);
    diffArea.replaceChildren(
      result.ok
        ? renderDiff(result.value, from, to, context.descriptors, texts, language)
        : h("div", { class: "alert alert-danger", role: "alert" }, texts("versions.failed", problemText(result.problem))),
    );
  });

  async function run(action: () => Promise<ApiResult<VersionSummary>>, okKey: TextKey, version: number) {
    if (version === session.version && !(await context.flushSave())) {
      return;
    }
    const result = await action();
    if (result.ok) {
      context.notify(texts(okKey, version), "success");
    } else {
      context.notify(texts("versions.failed", problemText(result.problem)), "danger");
    }
    await refresh();
    actions.statusChanged();
  }

  function button(
    label: string,
    testId: string,
    onClick: () => void,
    style = "btn-outline-secondary",
    disabled = false,
  ): HTMLButtonElement {
    const b = h("button", { type: "button", class: `btn btn-sm ${style}`, "data-testid": testId, disabled }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function row(v: VersionSummary): HTMLElement {
    const current = v.version === session.version;
    const confirmArea = h("div", { class: "va-confirm", hidden: true, role: "group", "aria-label": texts("versions.publish") });
    const buttons: HTMLElement[] = [];
    if (!current) {
      buttons.push(button(texts("versions.open"), `open-${v.version}`, () => actions.open(v.version)));
    }
    if (v.status === "draft") {
      buttons.push(
        button(
          texts("versions.stage"),
          `stage-${v.version}`,
          () => void run(() => bridge.stage(v.version), "versions.stagedOk", v.version),
        ),
      );
    }
    if ((v.status === "draft" || v.status === "staged") && context.config.canPublish) {
      const blocked = current && context.errors().length > 0;
      buttons.push(
        button(
          texts("versions.publish"),
          `publish-${v.version}`,
          () => {
            confirmArea.hidden = false;
            confirmArea.querySelector<HTMLButtonElement>("button")?.focus();
          },
          "btn-primary",
          blocked,
        ),
      );
      if (blocked) {
        buttons.push(h("div", { class: "small text-danger w-100", "data-testid": "publish-blocked" }, texts("versions.blocked")));
      }
      confirmArea.replaceChildren(
        h("p", { class: "mb-2 small" }, texts("versions.confirmPublish", v.version)),
        button(
          texts("versions.confirm"),
          `confirm-publish-${v.version}`,
          () => void run(() => bridge.publish(v.version), "versions.publishedOk", v.version),
          "btn-primary",
        ),
        button(texts("versions.cancel"), `cancel-publish-${v.version}`, () => {
          confirmArea.hidden = true;
        }),
      );
    }
    if (v.status === "retired" && context.config.canPublish) {
      buttons.push(
        button(
          texts("versions.rollback"),
          `rollback-${v.version}`,
          () => void run(() => bridge.rollback(v.version), "versions.rolledBackOk", v.version),
          "btn-outline-warning",
        ),
      );
    }
    buttons.push(
      button(texts("versions.export"), `export-${v.version}`, async () => {
        if (v.version === session.version) {
          await context.flushSave();
        }
        const file = await bridge.exportVersion(v.version);
        if (file.ok) {
          downloadText(file.value.fileName, file.value.text);
        } else {
          context.notify(texts("export.failed", problemText(file.problem)), "danger");
        }
      }),
    );

    const meta = [
      texts("versions.changed", date(v.updatedAt)),
      v.createdBy ? texts("versions.by", v.createdBy) : "",
      v.publishedAt ? texts("versions.published", date(v.publishedAt)) : "",
    ].filter((t) => t !== "");
    return h(
      "li",
      { class: `va-version${current ? " va-version-current" : ""}`, "data-testid": `version-${v.version}`, "data-status": v.status },
      h(
        "div",
        { class: "va-version-head" },
        h("strong", null, texts("versions.row", v.version)),
        h("span", { class: `badge va-status-${v.status}`, "data-testid": `status-${v.version}` }, texts(`status.${v.status}` as TextKey)),
        current ? h("span", { class: "va-muted small" }, `(${texts("versions.opened")})`) : null,
      ),
      h("div", { class: "va-muted small" }, meta.join(" · ")),
      h("div", { class: "va-version-actions" }, ...buttons),
      confirmArea,
    );
  }

  function fillSelect(select: HTMLSelectElement, selected: number | undefined) {
    select.replaceChildren(
      ...versions.map((v) =>
        h("option", { value: v.version }, `${texts("versions.row", v.version)} · ${texts(`status.${v.status}` as TextKey)}`),
      ),
    );
    if (selected !== undefined) {
      select.value = String(selected);
    }
  }

  async function refresh() {
    const flow = await bridge.flow();
    if (!flow.ok) {
      list.replaceChildren(h("li", { class: "text-danger" }, problemText(flow.problem)));
      return;
    }
    versions = [...flow.value.versions].sort((a, b) => b.version - a.version);
    const mine = versions.find((v) => v.version === session.version);
    if (mine && mine.status !== session.status) {
      session.status = mine.status;
      if (mine.status !== "draft") {
        session.revision = null;
      }
    }
    list.replaceChildren(...versions.map(row));
    const previousFrom = Number(fromSelect.value) || versions[1]?.version || versions[0]?.version;
    const previousTo = Number(toSelect.value) || versions[0]?.version;
    fillSelect(fromSelect, previousFrom);
    fillSelect(toSelect, previousTo);
  }

  container.replaceChildren(
    h("h2", { class: "va-panel-title" }, texts("versions.title")),
    ...(context.config.canPublish ? [] : [h("p", { class: "va-muted small" }, texts("versions.adminOnly"))]),
    list,
    h(
      "section",
      { class: "va-diff-form", "aria-label": texts("versions.diff") },
      h("h3", { class: "va-section-title" }, texts("versions.diff")),
      h(
        "div",
        { class: "va-diff-pick" },
        h("label", { for: fromSelect.id, class: "form-label small" }, texts("versions.from")),
        fromSelect,
        h("label", { for: toSelect.id, class: "form-label small" }, texts("versions.to")),
        toSelect,
        compare,
      ),
      diffArea,
    ),
  );
  return { refresh, redraw: () => list.replaceChildren(...versions.map(row)) };
}
