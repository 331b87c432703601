import { Dnd, type Edge, type Node } from "@antv/x6";
import { addNote } from "./add-note";
import { arrangeGraph } from "./arrange-graph";
import { bindShortcuts } from "./bind-shortcuts";
import type { ActivityDescriptor, FlowDefinition, FlowNode, JsonValue, Language, NodeData, ValidationError } from "./contract";
import { copySelection } from "./copy-selection";
import { createGraph } from "./create-graph";
import { createMarks } from "./create-marks";
import { createNudger } from "./create-nudger";
import { createSearch } from "./create-search";
import { definitionCells } from "./definition-cells";
import { deferRouting } from "./defer-routing";
import { downloadText } from "./download-text";
import { edgeMetadata } from "./edge-metadata";
import { findNodes } from "./find-nodes";
import { GRID_SIZE, IN_PORT, NODE_SHAPE, NOTE_HEIGHT, NOTE_MAX_COUNT, NOTE_SHAPE, NOTE_WIDTH, OUT_PREFIX } from "./geometry";
import { hideRenderArea } from "./hide-render-area";
import { initialView } from "./initial-view";
import { jumpToCell } from "./jump-to-cell";
import { loadDefinition } from "./load-definition";
import { newNodeId } from "./new-node-id";
import { nodeMetadata } from "./node-metadata";
import { nodeVisuals } from "./node-visuals";
import { createOrder, type Order } from "./order";
import { pasteClipboard } from "./paste-clipboard";
import { readDefinition } from "./read-definition";
import { refreshNode } from "./refresh-node";
import { refreshNote } from "./refresh-note";
import { registerShapes } from "./register-shapes";
import { replaceGraph } from "./replace-graph";
import { rerouteEdges } from "./reroute-edges";
import { createTexts } from "./texts";
import "./designer.css";

export { recordCancel, recordStart, recordStop, scrollToEnd } from "./console-recorder";

/** The .NET side (a DotNetObjectReference to the Blazor designer component). */
interface DotNet {
  invokeMethodAsync<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
}

/** What the Blazor page hands over when it mounts the canvas. */
export interface CanvasInit {
  /** The version's definition as stored (engine JSON text). */
  definition: string;
  descriptors: ActivityDescriptor[];
  language: Language;
  errors: ValidationError[];
}

/** The selection as the property panel shows it (CanvasModels.cs: CanvasSelection). */
interface Selection {
  kind: "none" | "node" | "note" | "edge" | "many";
  count: number;
  id?: string;
  type?: string;
  inputs?: Record<string, JsonValue>;
  text?: string;
  outcomes?: { name: string; target: string | null }[];
  from?: string;
  outcome?: string;
  to?: string;
}

type EditMode = "Preview" | "Commit";

/** The option key that marks the changes of an import in the undo history. */
const IMPORT_TAG = "vaImport";

interface HistoryCommand {
  event?: string;
  options?: Record<string, unknown>;
}

interface Snapshot {
  base: FlowDefinition;
  order: Order;
}

const snap = (value: number) => Math.round(value / GRID_SIZE) * GRID_SIZE;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const encoder = new TextEncoder();

function parseDefinition(text: string): FlowDefinition {
  const raw = (text ? JSON.parse(text) : {}) as Partial<FlowDefinition>;
  return {
    name: raw.name ?? "",
    nodes: raw.nodes ?? [],
    connections: raw.connections ?? [],
    variables: raw.variables ?? [],
    notes: raw.notes ?? undefined,
  };
}

/**
 * The designer's one JavaScript interop module: the x6 canvas (graph, shapes, ports, layout, undo/redo, selection,
 * clipboard, minimap, shortcuts, search) inside the Blazor page's elements. Blazor owns everything around it (toolbox,
 * property panel, versions, test console, saving); the canvas tells it what changed through `dotnet` and takes property
 * edits back as undo steps, so there is one undo history for moves and panel edits alike.
 *
 * `root` is the designer element (shortcuts apply inside it); it holds `[data-region=canvas|minimap|search|toolbox]`.
 */
export function mount(root: HTMLElement, dotnet: DotNet, init: CanvasInit) {
  performance.mark("va-designer-start");
  const language = init.language;
  const texts = createTexts(language);
  const region = (name: string) => {
    const element = root.querySelector<HTMLElement>(`[data-region="${name}"]`);
    if (!element) {
      throw new Error(`designer region "${name}" is missing`);
    }
    return element;
  };
  const canvasElement = region("canvas");
  const descriptors = new Map<string, ActivityDescriptor>(init.descriptors.map((d) => [d.type, d]));
  const placeholder = texts("note.placeholder");
  const call = (method: string, ...args: unknown[]) => void dotnet.invokeMethodAsync(method, ...args).catch(() => undefined);

  registerShapes();
  const graph = createGraph(canvasElement, region("minimap"));
  const marks = createMarks(graph);
  let order: Order = createOrder();
  let base: FlowDefinition = { name: "", nodes: [], connections: [], variables: [] };
  let imports = 0;
  const importSnapshots = new Map<number, { before: Snapshot; after: Snapshot }>();
  /** The node whose panel is open and its data as last committed (a preview changes the node but not this). */
  let shown: { id: string; baseline: NodeData | null } | null = null;
  /** Notes being typed in: their text before the first preview (see setNoteText). */
  const noteTexts = new Map<string, string>();
  /** A panel edit is being applied: the resulting data change is not echoed back to the panel. */
  let applying = false;

  const read = () => readDefinition(graph, base, order);
  /**
   * The canvas changed: Blazor validates and saves after a pause. The save status says "unsaved" at once (it is
   * Blazor's element; only its state attribute is touched, and only from "saved", which Blazor then renders as well).
   */
  const changed = () => {
    const status = root.querySelector<HTMLElement>('[data-testid="save-status"]');
    if (status?.dataset.state === "saved") {
      status.dataset.state = "dirty";
    }
    call("OnChanged");
  };
  const fit = () => {
    if (graph.getNodes().length > 0) {
      graph.zoomToFit({ padding: 40, maxScale: 1, useCellGeometry: true });
    }
  };
  const setBase = (definition: FlowDefinition) => {
    base = { name: definition.name ?? "", nodes: [], connections: [], variables: definition.variables ?? [] };
  };

  // ---- selection → the property panel ----
  const outcomesOf = (node: Node, data: NodeData) => nodeVisuals(node.id, data, descriptors.get(data.type), [], language).outcomes;

  function selectionOf(): Selection {
    const cells = graph.getSelectedCells();
    if (cells.length === 0) {
      return { kind: "none", count: 0 };
    }
    if (cells.length > 1) {
      return { kind: "many", count: cells.length };
    }
    const cell = cells[0]!;
    if (cell.isEdge()) {
      const port = cell.getSourcePortId() ?? "";
      return {
        kind: "edge",
        count: 1,
        id: cell.id,
        from: cell.getSourceCellId(),
        outcome: port.startsWith(OUT_PREFIX) ? port.slice(OUT_PREFIX.length) : port,
        to: cell.getTargetCellId(),
      };
    }
    const node = cell as Node;
    if (node.shape === NOTE_SHAPE) {
      return { kind: "note", count: 1, id: node.id, text: String(node.getData<{ text?: string }>()?.text ?? "") };
    }
    const data = node.getData<NodeData>();
    const edges = graph.getConnectedEdges(node, { outgoing: true });
    return {
      kind: "node",
      count: 1,
      id: node.id,
      type: data.type,
      inputs: data.inputs ?? {},
      outcomes: outcomesOf(node, data).map((name) => ({
        name,
        target: edges.find((e) => e.getSourcePortId() === OUT_PREFIX + name)?.getTargetCellId() ?? null,
      })),
    };
  }

  function publishSelection() {
    commitPending();
    const selection = selectionOf();
    const node = selection.kind === "node" ? graph.getCellById(selection.id!) : null;
    shown = node?.isNode() ? { id: node.id, baseline: structuredClone(node.getData<NodeData>()) } : null;
    call("OnSelection", selection);
  }

  /** Turns a pending preview (typed but not committed) into an undo step. */
  function commitPending() {
    if (!shown || !shown.baseline) {
      return;
    }
    const node = graph.getCellById(shown.id);
    if (!node?.isNode()) {
      return;
    }
    const current = node.getData<NodeData>();
    if (!same(current, shown.baseline)) {
      commitData(node, structuredClone(current), []);
    }
  }

  function commitData(node: Node, next: NodeData, removedOutcomes: readonly string[]) {
    applying = true;
    try {
      graph.startBatch("edit-input");
      // Connections of outcomes that disappear (an intent removed) go first, so undo brings the port back before them.
      for (const edge of graph.getConnectedEdges(node, { outgoing: true })) {
        const port = edge.getSourcePortId() ?? "";
        if (removedOutcomes.includes(port.slice(OUT_PREFIX.length))) {
          edge.remove();
        }
      }
      if (shown?.id === node.id && shown.baseline) {
        node.setData(shown.baseline, { silent: true, overwrite: true });
      }
      node.setData(next, { overwrite: true });
      graph.stopBatch("edit-input");
    } finally {
      applying = false;
    }
    if (shown?.id === node.id) {
      shown.baseline = structuredClone(next);
    }
  }

  function withInput(data: NodeData, name: string, value: JsonValue | null | undefined): NodeData {
    const inputs = { ...data.inputs };
    if (value === undefined || value === null) {
      delete inputs[name];
    } else {
      inputs[name] = value;
    }
    return { type: data.type, inputs };
  }

  // ---- loading ----
  function load(definition: FlowDefinition) {
    setBase(definition);
    order = createOrder();
    graph.cleanSelection();
    hideRenderArea(graph);
    loadDefinition(graph, definition, descriptors, language, order, placeholder);
    initialView(graph, canvasElement);
  }

  const initial = parseDefinition(init.definition);
  load(initial);
  marks.setErrors(init.errors);
  /** The canvas as loaded, before any edit: the autosave's baseline (an edit may come before .NET asks for it). */
  const mountedDefinition = encoder.encode(JSON.stringify(read()));
  performance.mark("va-designer-loaded");

  function addNode(node: FlowNode): Node {
    const data: NodeData = { type: node.type, inputs: node.inputs ?? {} };
    return graph.addNode(nodeMetadata(node.id, data, node.position ?? { x: 0, y: 0 }, descriptors.get(node.type), [], language));
  }

  function initialInputs(type: string): Record<string, JsonValue> {
    // A list input that defines outcomes (Ask's intents) starts with its default, so its ports show right away.
    const descriptor = descriptors.get(type);
    const list = descriptor?.outcomesFromInput;
    const input = list ? descriptor.inputs.find((i) => i.name === list) : undefined;
    return input && input.default !== undefined && input.default !== null ? { [input.name]: structuredClone(input.default) } : {};
  }

  // ---- toolbox drag (the toolbox is Blazor's; its entries carry data-type) ----
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
  const toolbox = region("toolbox");
  const onToolboxDown = (event: MouseEvent) => {
    const tool = (event.target as Element | null)?.closest<HTMLElement>("[data-type]");
    if (event.button !== 0 || !tool || !toolbox.contains(tool)) {
      return;
    }
    const type = tool.dataset.type!;
    const data: NodeData = { type, inputs: initialInputs(type) };
    dnd.start(graph.createNode(nodeMetadata(`${type}-template`, data, { x: 0, y: 0 }, descriptors.get(type), [], language)), event);
  };
  toolbox.addEventListener("mousedown", onToolboxDown);

  // ---- commands ----
  const undo = () => deferRouting(graph, () => graph.undo());
  const redo = () => deferRouting(graph, () => graph.redo());
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
      call("OnNotify", texts("clipboard.copied", count), "info");
    }
  }
  function paste() {
    if (pasteClipboard(graph, (node) => void addNode(node)).length === 0) {
      call("OnNotify", texts("clipboard.empty"), "info");
    }
  }

  const search = createSearch(texts, {
    find: (query) => findNodes(graph, query, descriptors, language),
    jump: (id) => void jumpToCell(graph, id),
    leave: () => canvasElement.focus(),
  });
  region("search").replaceChildren(search.element);
  const nudger = createNudger(graph);

  const unbindShortcuts = bindShortcuts(root, {
    undo,
    redo,
    copy,
    paste,
    remove,
    selectAll: () => graph.resetSelection(graph.getNodes()),
    save: () => {
      commitPending();
      call("OnSave");
    },
    nudge: (dx, dy, large) => nudger.move(dx * GRID_SIZE * (large ? 10 : 1), dy * GRID_SIZE * (large ? 10 : 1)),
    nudged: () => nudger.settle(),
    find: () => search.focus(),
  });

  // ---- canvas events ----
  const refresh = ({ node }: { node: Node }) => {
    if (node.shape === NOTE_SHAPE) {
      refreshNote(node, placeholder);
    } else {
      refreshNode(graph, node, descriptors, language);
    }
  };
  const afterHistoryStep = (cmds: readonly HistoryCommand[] | null, side: "before" | "after") => {
    const tag = cmds?.map((c) => c.options?.[IMPORT_TAG]).find((t) => typeof t === "number");
    const snapshot = typeof tag === "number" ? importSnapshots.get(tag)?.[side] : undefined;
    if (snapshot) {
      base = snapshot.base;
      order = snapshot.order;
      for (const node of graph.getNodes()) {
        refresh({ node });
      }
    }
  };
  graph.on("history:undo", ({ cmds }: { cmds: HistoryCommand[] | null }) => afterHistoryStep(cmds, "before"));
  graph.on("history:redo", ({ cmds }: { cmds: HistoryCommand[] | null }) => afterHistoryStep(cmds, "after"));
  const showHistory = () => {
    // The toolbar's buttons are Blazor's; their state is set here at once as well (the canvas owns the history).
    const undoButton = root.querySelector<HTMLButtonElement>('[data-testid="toolbar-undo"]');
    const redoButton = root.querySelector<HTMLButtonElement>('[data-testid="toolbar-redo"]');
    if (undoButton && redoButton) {
      undoButton.disabled = !graph.canUndo();
      redoButton.disabled = !graph.canRedo();
    }
    call("OnHistory", graph.canUndo(), graph.canRedo());
  };
  graph.on("history:change", ({ cmds }: { cmds: unknown }) => {
    showHistory();
    if (cmds !== null) {
      changed();
    }
  });
  graph.on("node:change:data", ({ node }: { node: Node }) => {
    refresh({ node });
    // An undo/redo that changes what the panel shows: send it again (not for the panel's own edits).
    if (!applying && graph.isSelected(node) && graph.getSelectedCellCount() === 1) {
      publishSelection();
    }
  });
  graph.on("node:change:size", ({ node }: { node: Node }) => {
    if (node.shape === NOTE_SHAPE) {
      refreshNote(node, placeholder);
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
    const selected = graph.getSelectedCells();
    if (selected.length === 1 && source && selected[0]!.id === source.id) {
      publishSelection();
    }
  });
  graph.on("edge:removed", ({ edge }: { edge: Edge }) => {
    const selected = graph.getSelectedCells();
    if (!applying && selected.length === 1 && selected[0]!.id === edge.getSourceCellId()) {
      publishSelection();
    }
  });
  graph.on("node:resize", () => graph.startBatch("resize-note"));
  graph.on("node:resized", () => graph.stopBatch("resize-note"));
  graph.on("node:move", () => graph.startBatch("move-node"));
  graph.on("node:moved", ({ node }: { node: Node }) => {
    graph.stopBatch("move-node");
    rerouteEdges(graph, [node, ...graph.getSelectedCells().filter((c): c is Node => c.isNode())]);
  });
  graph.on("selection:changed", publishSelection);
  graph.on("node:dblclick", () => call("OnOpenProperties"));
  // Typing in the property panel or a click that changes the flow (marked data-changes): "unsaved" at once, before the
  // server has applied it; Blazor then saves or, if nothing changed after all, reports "saved" again.
  const onPanelEdit = (event: Event) => {
    const target = event.target instanceof Element ? event.target : null;
    const edits = event.type === "click" ? target?.closest("[data-changes]") : target?.closest('[data-testid="panel-properties"]');
    if (edits && root.contains(edits)) {
      changed();
    }
  };
  for (const type of ["input", "change", "click"]) {
    root.addEventListener(type, onPanelEdit);
  }
  const onHidden = () => {
    if (document.visibilityState === "hidden") {
      commitPending();
      call("OnSave");
    }
  };
  document.addEventListener("visibilitychange", onHidden);

  showHistory();
  publishSelection();
  performance.mark("va-designer-wired");
  requestAnimationFrame(() => {
    canvasElement.dataset.ready = String(Math.round(performance.now()));
    root.setAttribute("aria-busy", "false");
    performance.mark("va-designer-ready");
  });

  return {
    /** The canvas as a flow definition (UTF-8 JSON; .NET reads it as a stream — interop messages are capped). */
    definition(): Uint8Array {
      return encoder.encode(JSON.stringify(read()));
    },
    /** The canvas as it was right after mounting (same form as definition()). */
    mounted(): Uint8Array {
      return mountedDefinition;
    },
    /** Opens another definition; `undoable` (an import): one undo step that brings the old canvas back. */
    load(definitionText: string, undoable: boolean, errors: ValidationError[]) {
      const next = parseDefinition(definitionText);
      shown = null;
      if (undoable) {
        const before: Snapshot = { base, order };
        setBase(next);
        order = createOrder();
        graph.cleanSelection();
        const tag = ++imports;
        replaceGraph(graph, definitionCells(next, descriptors, language, order, placeholder), { [IMPORT_TAG]: tag });
        importSnapshots.set(tag, { before, after: { base, order } });
        initialView(graph, canvasElement);
      } else {
        load(next);
        graph.cleanHistory();
      }
      marks.setErrors(errors);
      showHistory();
      publishSelection();
    },
    setErrors(errors: ValidationError[]) {
      marks.setErrors(errors);
    },
    /** The node the test console waits at (null: none). */
    setCurrent(nodeId: string | null) {
      marks.setCurrent(nodeId);
    },
    /** A property edit from the panel: Preview follows on the canvas only; Commit is one undo step. */
    setInput(nodeId: string, name: string, value: JsonValue | null, mode: EditMode) {
      const node = graph.getCellById(nodeId);
      if (!node?.isNode()) {
        return;
      }
      const current = node.getData<NodeData>();
      const next = withInput(current, name, value);
      if (mode === "Preview") {
        node.setData(next, { silent: true, overwrite: true });
        graph.trigger("va:preview", { node });
        changed();
        return;
      }
      const baseline = shown?.id === nodeId ? shown.baseline : null;
      if (baseline && same(next, baseline)) {
        node.setData(baseline, { silent: true, overwrite: true });
        graph.trigger("va:preview", { node });
        return;
      }
      const before = outcomesOf(node, baseline ?? current);
      const after = outcomesOf(node, next);
      // The panel keeps its own copy after its edits: nothing is sent back (a new selection would rebuild it).
      commitData(
        node,
        next,
        before.filter((o) => !after.includes(o)),
      );
    },
    setNoteText(noteId: string, text: string, mode: EditMode) {
      const note = graph.getCellById(noteId);
      if (!note?.isNode()) {
        return;
      }
      const data = note.getData<Record<string, unknown>>();
      // The text as last committed: a preview changes the note silently, the commit makes it one undo step from there.
      const committed = noteTexts.get(noteId) ?? String(data.text ?? "");
      noteTexts.set(noteId, committed);
      applying = true;
      try {
        if (mode === "Preview") {
          note.setData({ ...data, text }, { silent: true, overwrite: true });
          refreshNote(note, placeholder);
          changed();
        } else if (text !== committed) {
          graph.startBatch("edit-note");
          note.setData({ ...data, text: committed }, { silent: true, overwrite: true });
          note.setData({ ...data, text }, { overwrite: true });
          graph.stopBatch("edit-note");
          noteTexts.delete(noteId);
        } else {
          noteTexts.delete(noteId);
        }
      } finally {
        applying = false;
      }
    },
    connect(nodeId: string, outcome: string, target: string | null) {
      const node = graph.getCellById(nodeId);
      if (!node?.isNode()) {
        return;
      }
      applying = true;
      try {
        graph.startBatch("connect-outcome");
        for (const edge of graph.getConnectedEdges(node, { outgoing: true })) {
          if (edge.getSourcePortId() === OUT_PREFIX + outcome) {
            edge.remove();
          }
        }
        if (target) {
          graph.addEdge(edgeMetadata({ from: nodeId, outcome, to: target }));
        }
        graph.stopBatch("connect-outcome");
      } finally {
        applying = false;
      }
    },
    focusNode(id: string) {
      jumpToCell(graph, id);
    },
    addNode(type: string) {
      const area = graph.getGraphArea();
      const center = { x: area.x + area.width / 2 - 112, y: area.y + area.height / 2 - 40 };
      const node = addNode({ id: newNodeId(graph, type), type, inputs: initialInputs(type), position: { x: snap(center.x), y: snap(center.y) } });
      graph.resetSelection(node);
    },
    /** A sticky note in the middle of the view; false when the flow has the most notes it may have. */
    addNote(): boolean {
      const area = graph.getGraphArea();
      const at = { x: snap(area.x + area.width / 2 - NOTE_WIDTH / 2), y: snap(area.y + area.height / 2 - NOTE_HEIGHT / 2) };
      const added = addNote(graph, at, placeholder);
      if (!added) {
        call("OnNotify", texts("note.tooMany", NOTE_MAX_COUNT), "info");
        return false;
      }
      if (!area.containsRect(added.getBBox())) {
        graph.centerCell(added);
      }
      return true;
    },
    commitPending,
    undo,
    redo,
    copy,
    paste,
    remove,
    zoomIn: () => graph.zoom(0.1),
    zoomOut: () => graph.zoom(-0.1),
    fit,
    layout() {
      arrangeGraph(graph);
      fit();
    },
    clearSelection: () => graph.cleanSelection(),
    /** Activity node ids and types (for the pickers), sorted by id. */
    nodes(): { id: string; type: string }[] {
      return graph
        .getNodes()
        .filter((n) => n.shape === NODE_SHAPE)
        .map((n) => ({ id: n.id, type: n.getData<NodeData>().type }))
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    dispose() {
      document.removeEventListener("visibilitychange", onHidden);
      for (const type of ["input", "change", "click"]) {
        root.removeEventListener(type, onPanelEdit);
      }
      unbindShortcuts();
      toolbox.removeEventListener("mousedown", onToolboxDown);
      graph.dispose();
    },
  };
}

/** Saves a text as a file (export, "my version" in a conflict). */
export function download(fileName: string, text: string): void {
  downloadText(fileName, text);
}

/** Focuses the first field of an element (the property panel after a double click). */
export function focusFirst(container: HTMLElement | null): void {
  container?.querySelector<HTMLElement>("input, textarea, select")?.focus();
}

/** Clicks an element (the toolbar's "Importieren" opens the hidden file input). */
export function click(element: HTMLElement | null): void {
  element?.click();
}
