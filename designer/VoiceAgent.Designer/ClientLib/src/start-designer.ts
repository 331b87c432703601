import { Dnd, type Edge, type Node } from "@antv/x6";
import { addNote } from "./add-note";
import { arrangeGraph } from "./arrange-graph";
import { bindShortcuts } from "./bind-shortcuts";
import { createBridge } from "./bridge";
import type {
  ActivityDescriptor,
  DesignerOptions,
  FlowDefinition,
  FlowNode,
  NodeData,
  Problem,
  ValidationError,
  VersionDetail,
} from "./contract";
import { copySelection } from "./copy-selection";
import { createAutosave, type SaveState } from "./create-autosave";
import { createGraph } from "./create-graph";
import { createLiveValidation } from "./create-live-validation";
import { createMarks } from "./create-marks";
import { createNotifier } from "./create-notifier";
import { createPropertiesPanel } from "./create-properties-panel";
import { createSearch } from "./create-search";
import { createTabs } from "./create-tabs";
import { createTestConsole } from "./create-test-console";
import { createVersionsPanel } from "./create-versions-panel";
import { definitionCells } from "./definition-cells";
import type { DesignerContext, Session } from "./designer-context";
import { h } from "./dom";
import { hideRenderArea } from "./hide-render-area";
import { initialView } from "./initial-view";
import { jumpToCell } from "./jump-to-cell";
import { downloadText } from "./download-text";
import { deferRouting } from "./defer-routing";
import { draftConflict } from "./draft-conflict";
import { findNodes } from "./find-nodes";
import { GRID_SIZE, IN_PORT, NOTE_HEIGHT, NOTE_MAX_COUNT, NOTE_SHAPE, NOTE_WIDTH, OUT_PREFIX } from "./geometry";
import { loadDefinition } from "./load-definition";
import { localized } from "./localized";
import { newNodeId } from "./new-node-id";
import { nodeMetadata } from "./node-metadata";
import { createNudger } from "./create-nudger";
import { createOrder, type Order } from "./order";
import { pasteClipboard } from "./paste-clipboard";
import { problemText } from "./problem-text";
import { readConfig } from "./read-config";
import { readDefinition } from "./read-definition";
import { refreshNode } from "./refresh-node";
import { refreshNote } from "./refresh-note";
import { registerShapes } from "./register-shapes";
import { rerouteEdges } from "./reroute-edges";
import { renderToolbar } from "./render-toolbar";
import { replaceGraph } from "./replace-graph";
import { renderToolbox } from "./render-toolbox";
import { createTexts, type TextKey } from "./texts";

const snap = (value: number) => Math.round(value / GRID_SIZE) * GRID_SIZE;

/** The option key that marks the changes of an import in the undo history. */
const IMPORT_TAG = "vaImport";

/** The part of an x6 history command the designer reads (the type is not exported). */
interface HistoryCommand {
  event?: string;
  options?: Record<string, unknown>;
}

/** What a canvas change does not hold itself: the definition's name and variables, and the serialisation order. */
interface Snapshot {
  base: FlowDefinition;
  order: Order;
}

const emptyOptions: DesignerOptions = { voices: [], calendars: [], transferTargets: [], intents: [], variables: [], speechToText: false };

function region(root: HTMLElement, name: string): HTMLElement {
  const element = root.querySelector<HTMLElement>(`[data-region="${name}"]`);
  if (!element) {
    throw new Error(`designer region "${name}" is missing`);
  }
  return element;
}

/**
 * Boots the designer inside the root element rendered by FlowEditor.razor: loads descriptors, options and the version to
 * edit through the bridge, draws the canvas and wires toolbox, property panel, versions, test console, autosave and
 * live validation. Sets data-ready on the canvas (milliseconds since navigation start) once the first render is done.
 */
export async function startDesigner(root: HTMLElement): Promise<void> {
  performance.mark("va-designer-start");
  const config = readConfig(root);
  const texts = createTexts(config.language);
  const language = config.language;
  const bridge = createBridge(config, texts("app.network"));
  const canvasElement = region(root, "canvas");
  const messages = region(root, "messages");
  const notify = createNotifier(messages, texts("app.close"));

  // Everything the first render needs, in parallel.
  const [activities, optionsResult, flow, requested] = await Promise.all([
    bridge.activities(),
    bridge.designerOptions(),
    bridge.flow(),
    config.version !== null ? bridge.version(config.version) : Promise.resolve(null),
  ]);
  if (!activities.ok || !flow.ok) {
    const problem = !activities.ok ? activities.problem : !flow.ok ? flow.problem : {};
    canvasElement.replaceChildren(
      h(
        "div",
        { class: "alert alert-danger m-3", role: "alert", "data-testid": "load-error" },
        texts("app.loadFailed", problemText(problem)),
      ),
    );
    root.setAttribute("aria-busy", "false");
    return;
  }
  performance.mark("va-designer-data");
  const options: DesignerOptions = optionsResult.ok ? { ...emptyOptions, ...optionsResult.value } : emptyOptions;
  const descriptors = new Map<string, ActivityDescriptor>(activities.value.map((d) => [d.type, d]));

  const flowVersions = flow.value.versions;
  const pick =
    flowVersions.find((v) => v.status === "draft") ??
    flowVersions.find((v) => v.status === "live") ??
    [...flowVersions].sort((a, b) => b.version - a.version)[0];
  let detail: VersionDetail | null = requested?.ok ? requested.value : null;
  if (!detail && pick) {
    const loaded = await bridge.version(pick.version);
    detail = loaded.ok ? loaded.value : null;
  }
  const definitionOf = (d: VersionDetail | null): FlowDefinition => ({
    name: d?.definition?.name ?? config.flowName,
    nodes: d?.definition?.nodes ?? [],
    connections: d?.definition?.connections ?? [],
    variables: d?.definition?.variables ?? [],
    notes: d?.definition?.notes ?? undefined,
  });
  const initial = definitionOf(detail);
  const session: Session = {
    version: detail?.version ?? pick?.version ?? 1,
    status: detail?.status ?? "draft",
    revision: detail?.status === "draft" ? (detail.revision ?? null) : null,
    base: { name: initial.name ?? "", nodes: [], connections: [], variables: initial.variables ?? [] },
  };

  // ---- canvas ----
  registerShapes();
  const graph = createGraph(canvasElement, region(root, "minimap"));
  let order: Order = createOrder();
  /** Imports so far; each import's undo step carries its number, and what to restore on either side of it. */
  let imports = 0;
  const importSnapshots = new Map<number, { before: Snapshot; after: Snapshot }>();
  let errors: readonly ValidationError[] = detail?.errors ?? [];
  const marks = createMarks(graph);
  const read = () => readDefinition(graph, session.base, order);

  const fit = () => {
    if (graph.getNodes().length > 0) {
      graph.zoomToFit({ padding: 40, maxScale: 1, useCellGeometry: true });
    }
  };
  const load = (definition: FlowDefinition) => {
    hideRenderArea(graph);
    loadDefinition(graph, definition, descriptors, language, order, texts("note.placeholder"));
    initialView(graph, canvasElement);
  };
  load(initial);
  marks.setErrors(errors);
  performance.mark("va-designer-loaded");

  // ---- shared context and panels ----
  const versionLabel = region(root, "version");
  const status = region(root, "status");
  let toolbarRef: ReturnType<typeof renderToolbar> | null = null;
  let panelRef: ReturnType<typeof createPropertiesPanel> | null = null;
  let versionsRef: ReturnType<typeof createVersionsPanel> | null = null;

  const context: DesignerContext = {
    graph,
    bridge,
    texts,
    language,
    config,
    descriptors,
    options,
    session,
    errors: () => errors,
    variables() {
      // The run variables come from the server (designer options); flow variables and SetVariable targets are added.
      const names = new Set<string>([...options.variables, ...(session.base.variables ?? []).map((v) => v.name)]);
      for (const node of graph.getNodes()) {
        const data = node.getData<NodeData>();
        if (data.type === "SetVariable" && typeof data.inputs.name === "string" && data.inputs.name !== "") {
          names.add(data.inputs.name);
        }
      }
      return [...names].sort((a, b) => a.localeCompare(b));
    },
    changed,
    focusNode(id) {
      if (jumpToCell(graph, id)) {
        tabs.show("properties");
      }
    },
    definition: read,
    flushSave: async () => {
      panelRef?.commitPending();
      return autosave.flush();
    },
    notify,
  };

  function showVersion() {
    const statusText = texts(`status.${session.status}` as TextKey);
    versionLabel.textContent = texts("app.version", session.version, statusText);
    versionLabel.dataset.status = session.status;
    versionLabel.title = session.status === "draft" ? "" : texts("app.readOnlyHint", session.version);
  }

  function setErrors(next: readonly ValidationError[]) {
    const wasBlocked = errors.length > 0;
    errors = next;
    marks.setErrors(next);
    toolbarRef?.setProblems(next.length);
    panelRef?.showErrors();
    if (wasBlocked !== next.length > 0) {
      versionsRef?.redraw();
    }
  }

  const validation = createLiveValidation(bridge, read, setErrors);

  function showConflict(problem: Problem) {
    const exportMine = h(
      "button",
      { type: "button", class: "btn btn-sm btn-outline-primary", "data-testid": "conflict-export" },
      texts("save.exportMine"),
    );
    exportMine.addEventListener("click", () =>
      downloadText(`${config.flowName || "ablauf"}-meine-fassung.json`, JSON.stringify(read(), null, 2)),
    );
    const reload = h(
      "button",
      { type: "button", class: "btn btn-sm btn-outline-secondary", "data-testid": "conflict-reload" },
      texts("save.reload"),
    );
    // Without ?version= the page opens the current draft.
    reload.addEventListener("click", () => location.assign(location.pathname));
    messages.replaceChildren(
      h(
        "div",
        { class: "alert alert-danger va-alert", role: "alert", "data-testid": "conflict" },
        h(
          "div",
          null,
          h("strong", { "data-testid": "conflict-message" }, problemText(problem) || texts("save.conflictTitle")),
          h("div", { class: "small" }, texts("save.conflictHelp")),
        ),
        h("div", { class: "va-alert-actions" }, exportMine, reload),
      ),
    );
  }

  const saveTexts: Record<SaveState, TextKey> = {
    saved: "save.saved",
    dirty: "save.dirty",
    saving: "save.saving",
    conflict: "save.conflict",
    error: "save.error",
  };
  const autosave = createAutosave(
    bridge,
    session,
    read,
    {
      state(state, detailText) {
        status.textContent = texts(saveTexts[state]);
        status.dataset.state = state;
        status.title = detailText ?? "";
        if (state === "error" && detailText) {
          notify(texts("save.failed", detailText), "danger");
        }
      },
      saved(result, json) {
        validation.known(json, result.errors ?? []);
        showVersion();
        if (result.version !== versionsShown) {
          versionsShown = result.version;
          void versionsRef?.refresh();
        }
      },
      conflict: showConflict,
    },
    texts,
  );
  let versionsShown = session.version;
  autosave.reset(JSON.stringify(read()));

  function changed() {
    autosave.changed();
    validation.changed();
  }

  function addNode(node: FlowNode): Node {
    const data: NodeData = { type: node.type, inputs: node.inputs ?? {} };
    return graph.addNode(nodeMetadata(node.id, data, node.position ?? { x: 0, y: 0 }, descriptors.get(node.type), [], language));
  }

  function initialInputs(type: string): Record<string, NodeData["inputs"][string]> {
    // A list input that defines outcomes (Ask's intents) starts with its default, so its ports show right away.
    const descriptor = descriptors.get(type);
    const list = descriptor?.outcomesFromInput;
    const input = list ? descriptor.inputs.find((i) => i.name === list) : undefined;
    return input && input.default !== undefined && input.default !== null ? { [input.name]: structuredClone(input.default) } : {};
  }

  // ---- toolbox (drag and drop, or Enter for keyboard users) ----
  const dnd = new Dnd({
    target: graph,
    scaled: false,
    getDragNode: (source) => source.clone(),
    getDropNode: (dragging) => {
      const data = dragging.getData<NodeData>();
      const id = newNodeId(graph, data.type);
      return graph.createNode(nodeMetadata(id, structuredClone(data), { x: 0, y: 0 }, descriptors.get(data.type), [], language));
    },
  });
  renderToolbox(region(root, "toolbox"), [...descriptors.values()], texts, language, {
    drag(type, event) {
      const data: NodeData = { type, inputs: initialInputs(type) };
      dnd.start(graph.createNode(nodeMetadata(`${type}-template`, data, { x: 0, y: 0 }, descriptors.get(type), [], language)), event);
    },
    add(type) {
      const area = graph.getGraphArea();
      const center = { x: area.x + area.width / 2 - 112, y: area.y + area.height / 2 - 40 };
      const node = addNode({
        id: newNodeId(graph, type),
        type,
        inputs: initialInputs(type),
        position: { x: snap(center.x), y: snap(center.y) },
      });
      graph.resetSelection(node);
    },
  });

  // ---- side panel ----
  const tabs = createTabs(region(root, "side"), texts("tabs.label"), [
    { name: "properties", title: texts("tabs.properties") },
    { name: "versions", title: texts("tabs.versions") },
    { name: "console", title: texts("tabs.console") },
  ]);
  const panel = createPropertiesPanel(tabs.panel("properties"), context);
  panelRef = panel;

  /**
   * Opens a version. `undoable` (an import): the canvas changes as one undo step, so Ctrl+Z brings back what was there
   * before (and autosave stores that in the new draft); otherwise the canvas is reloaded with an empty history.
   */
  async function loadVersion(version: number, notice?: string, undoable = false) {
    const loaded = await bridge.version(version);
    if (!loaded.ok) {
      notify(problemText(loaded.problem), "danger");
      return;
    }
    const next = definitionOf(loaded.value);
    const before: Snapshot = { base: session.base, order };
    session.version = loaded.value.version;
    session.status = loaded.value.status;
    session.revision = loaded.value.status === "draft" ? (loaded.value.revision ?? null) : null;
    session.base = { name: next.name ?? "", nodes: [], connections: [], variables: next.variables ?? [] };
    versionsShown = session.version;
    messages.replaceChildren();
    order = createOrder();
    graph.cleanSelection();
    if (undoable) {
      const tag = ++imports;
      replaceGraph(graph, definitionCells(next, descriptors, language, order, texts("note.placeholder")), { [IMPORT_TAG]: tag });
      importSnapshots.set(tag, { before, after: { base: session.base, order } });
      initialView(graph, canvasElement);
    } else {
      load(next);
    }
    const json = JSON.stringify(read());
    autosave.reset(json);
    errors = [];
    marks.setErrors([]);
    validation.known(json, loaded.value.errors ?? []);
    const url = new URL(location.href);
    url.searchParams.set("version", String(session.version));
    history.replaceState(null, "", url);
    showVersion();
    panel.render();
    await versions.refresh();
    if (notice) {
      notify(notice, "success");
    }
  }

  const versions = createVersionsPanel(tabs.panel("versions"), context, {
    open: (version) => {
      void (async () => {
        await context.flushSave();
        await loadVersion(version);
      })();
    },
    statusChanged: showVersion,
  });
  versionsRef = versions;

  createTestConsole(tabs.panel("console"), context, {
    highlight: (nodeId) => marks.setCurrent(nodeId),
    nodeTitle(nodeId) {
      const cell = graph.getCellById(nodeId);
      const data = cell?.isNode() ? cell.getData<NodeData>() : null;
      const descriptor = data ? descriptors.get(data.type) : undefined;
      return descriptor ? `${nodeId} (${localized(descriptor.displayName, language)})` : nodeId;
    },
  });

  // ---- commands ----
  function remove() {
    const cells = graph.getSelectedCells();
    if (cells.length > 0) {
      graph.startBatch("delete");
      graph.removeCells(cells);
      graph.stopBatch("delete");
    }
  }

  function copy() {
    const count = copySelection(graph, read());
    if (count > 0) {
      notify(texts("clipboard.copied", count), "info");
    }
  }

  function paste() {
    if (pasteClipboard(graph, (node) => void addNode(node)).length === 0) {
      notify(texts("clipboard.empty"), "info");
    }
  }

  function layout() {
    arrangeGraph(graph);
    fit();
  }

  // An undo or redo may move many nodes (an auto-layout, an import): connections are routed once all are in place.
  const undo = () => deferRouting(graph, () => graph.undo());
  const redo = () => deferRouting(graph, () => graph.redo());

  function note() {
    const area = graph.getGraphArea();
    const at = { x: snap(area.x + area.width / 2 - NOTE_WIDTH / 2), y: snap(area.y + area.height / 2 - NOTE_HEIGHT / 2) };
    const added = addNote(graph, at, texts("note.placeholder"));
    if (!added) {
      notify(texts("note.tooMany", NOTE_MAX_COUNT), "info");
      return;
    }
    if (!area.containsRect(added.getBBox())) {
      graph.centerCell(added);
    }
    tabs.show("properties");
    tabs.panel("properties").querySelector<HTMLElement>("textarea")?.focus();
  }

  const importInput = h("input", {
    type: "file",
    accept: ".json,application/json",
    hidden: true,
    "data-testid": "import-file",
    "aria-label": texts("toolbar.import"),
  });
  root.append(importInput);
  importInput.addEventListener("change", async () => {
    const file = importInput.files?.[0];
    importInput.value = "";
    if (!file) {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      notify(texts("import.invalidJson"), "danger");
      return;
    }
    await context.flushSave();
    const early = await draftConflict(bridge, session, texts);
    if (early) {
      showConflict(early);
      return;
    }
    const result = await bridge.importDefinition(parsed, session.status === "draft" ? session.revision : null);
    if (result.ok) {
      await loadVersion(result.value.version, texts("import.done", result.value.version), true);
    } else if (result.status === 409) {
      showConflict(result.problem);
    } else {
      notify(texts("import.failed", problemText(result.problem)), "danger");
    }
  });

  async function exportCurrent() {
    await context.flushSave();
    const file = await bridge.exportVersion(session.version);
    if (file.ok) {
      downloadText(file.value.fileName, file.value.text);
    } else {
      notify(texts("export.failed", problemText(file.problem)), "danger");
    }
  }

  const toolbar = renderToolbar(region(root, "toolbar"), texts, {
    undo,
    redo,
    copy,
    paste,
    remove,
    zoomIn: () => graph.zoom(0.1),
    zoomOut: () => graph.zoom(-0.1),
    fit,
    layout,
    note,
    import: () => importInput.click(),
    export: () => void exportCurrent(),
    save: () => void context.flushSave(),
    problems() {
      tabs.show("properties");
      graph.cleanSelection();
      panel.render();
    },
  });
  toolbarRef = toolbar;
  const search = createSearch(texts, {
    find: (query) => findNodes(graph, query, descriptors, language),
    jump: (id) => void jumpToCell(graph, id),
    leave: () => canvasElement.focus(),
  });
  region(root, "toolbar").append(search.element);
  const nudger = createNudger(graph);
  toolbar.setHistory(false, false);
  toolbar.setProblems(errors.length);

  bindShortcuts(root, {
    undo,
    redo,
    copy,
    paste,
    remove,
    selectAll: () => graph.resetSelection(graph.getNodes()),
    save: () => void context.flushSave(),
    nudge: (dx, dy, large) => nudger.move(dx * GRID_SIZE * (large ? 10 : 1), dy * GRID_SIZE * (large ? 10 : 1)),
    nudged: () => nudger.settle(),
    find: () => search.focus(),
  });

  // ---- canvas events ----
  // Undoing or redoing an import also brings back the flow's name, variables and serialisation order of that side.
  const afterHistoryStep = (cmds: readonly HistoryCommand[] | null, side: "before" | "after") => {
    const tag = cmds?.map((c) => c.options?.[IMPORT_TAG]).find((t) => typeof t === "number");
    const snapshot = typeof tag === "number" ? importSnapshots.get(tag)?.[side] : undefined;
    if (snapshot) {
      session.base = snapshot.base;
      order = snapshot.order;
      for (const node of graph.getNodes()) {
        refresh({ node });
      }
    }
  };
  graph.on("history:undo", ({ cmds }: { cmds: HistoryCommand[] | null }) => afterHistoryStep(cmds, "before"));
  graph.on("history:redo", ({ cmds }: { cmds: HistoryCommand[] | null }) => afterHistoryStep(cmds, "after"));
  graph.on("history:change", ({ cmds }: { cmds: unknown }) => {
    toolbar.setHistory(graph.canUndo(), graph.canRedo());
    if (cmds !== null) {
      changed();
    }
  });
  const refresh = ({ node }: { node: Node }) => {
    if (node.shape === NOTE_SHAPE) {
      refreshNote(node, texts("note.placeholder"));
    } else {
      refreshNode(graph, node, descriptors, language);
    }
  };
  graph.on("node:change:data", refresh);
  graph.on("node:change:size", ({ node }: { node: Node }) => {
    if (node.shape === NOTE_SHAPE) {
      refreshNote(node, texts("note.placeholder"));
    }
  });
  graph.on("va:preview", refresh);
  graph.on("node:added", ({ node, options: added }: { node: Node; options: { stencil?: string } }) => {
    marks.reapply(node.id);
    if (added?.stencil) {
      graph.resetSelection(node);
    }
  });
  graph.on("edge:connected", ({ edge }: { edge: Edge }) => {
    // Always end on the input port, and one connection per outcome: a new one replaces the old.
    const target = edge.getTargetCellId();
    if (target && edge.getTargetPortId() !== IN_PORT) {
      edge.setTarget({ cell: target, port: IN_PORT });
    }
    const source = edge.getSourceCell();
    const port = edge.getSourcePortId();
    if (source && port?.startsWith(OUT_PREFIX)) {
      for (const other of graph.getConnectedEdges(source, { outgoing: true })) {
        if (other.id !== edge.id && other.getSourcePortId() === port) {
          other.remove();
        }
      }
    }
  });
  // Dragging a node (or resizing a note) is one undo step, not one per mouse move.
  graph.on("node:resize", () => graph.startBatch("resize-note"));
  graph.on("node:resized", () => graph.stopBatch("resize-note"));
  graph.on("node:move", () => graph.startBatch("move-node"));
  graph.on("node:moved", ({ node }: { node: Node }) => {
    graph.stopBatch("move-node");
    rerouteEdges(graph, [node, ...graph.getSelectedCells().filter((c): c is Node => c.isNode())]);
  });
  graph.on("selection:changed", () => panel.render());
  graph.on("node:dblclick", () => {
    tabs.show("properties");
    tabs.panel("properties").querySelector<HTMLElement>("input, textarea, select")?.focus();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      void context.flushSave();
    }
  });

  showVersion();
  panel.render();
  void versions.refresh();

  // Rendering is synchronous (async: false): what the first view shows is drawn by now.
  performance.mark("va-designer-wired");
  requestAnimationFrame(() => {
    canvasElement.dataset.ready = String(Math.round(performance.now()));
    root.setAttribute("aria-busy", "false");
    performance.mark("va-designer-ready");
  });
}
