import { Graph, type Edge } from "@antv/x6";
import type { ActivityDescriptor, FlowDefinition, Language } from "./contract";
import { definitionCells } from "./definition-cells";
import { EDGE_ROUTER } from "./edge-router";
import { derived, GRID_SIZE, NOTE_SHAPE, OUT_PREFIX } from "./geometry";
import { initialView } from "./initial-view";
import { createOrder } from "./order";
import { registerShapes } from "./register-shapes";
import { renderVisible } from "./render-visible";
import { SharedOptionsEdgeView, SharedOptionsNodeView } from "./shared-view-options";

/** A connection of the definition, as the replay names the one a step took. */
export interface ViewerEdge {
  source: string;
  outcome: string;
  target: string;
}

/** What the canvas shows of a run up to a step: the nodes and connections passed, and the node of the step itself. */
export interface ViewerPath {
  visited: string[];
  taken: ViewerEdge[];
  current: string | null;
}

/** The read-only canvas of a flow version, for call replay: it shows, highlights and follows; it never edits. */
export interface FlowViewer {
  show(path: ViewerPath): void;
  dispose(): void;
}

const VISITED = "#2fb344";
const CURRENT = "#206bc4";
const PLAIN_NODE = "#aab4c3";
const PLAIN_EDGE = "#8594a8";

let shapesRegistered = false;

/**
 * Draws `definition` into `container` with the designer's shapes, layout and routing, read-only (no selection, moving,
 * connecting or history; panning with the mouse, zoom with Ctrl + wheel). The activity descriptors come from
 * `/api/activities` as in the designer. This is the JavaScript side of the replay page's interop: it is loaded with
 * `import()` and called from Blazor.
 */
export async function mount(container: HTMLElement, definition: FlowDefinition, language: Language): Promise<FlowViewer> {
  const response = await fetch("/api/activities", { credentials: "same-origin", headers: { Accept: "application/json" } });
  const activities: ActivityDescriptor[] = response.ok ? await response.json() : [];
  const descriptors = new Map(activities.map((d) => [d.type, d]));
  if (!shapesRegistered) {
    registerShapes();
    shapesRegistered = true;
  }

  const graph = new Graph({
    container,
    autoResize: true,
    async: false,
    virtual: { enabled: true, margin: 160 },
    interacting: false,
    createCellView: (cell) => (cell.isEdge() ? SharedOptionsEdgeView : SharedOptionsNodeView),
    background: { color: "var(--va-canvas-bg)" },
    grid: { visible: true, size: GRID_SIZE, type: "dot", args: { color: "#c5cedb", thickness: 1 } },
    panning: { enabled: true, eventTypes: ["leftMouseDown", "mouseWheel"] },
    mousewheel: { enabled: true, modifiers: ["ctrl", "meta"], minScale: 0.15, maxScale: 2, factor: 1.1 },
    scaling: { min: 0.15, max: 2 },
    connecting: { router: { name: EDGE_ROUTER }, connector: { name: "rounded", args: { radius: 8 } } },
  });
  const cells = definitionCells(definition, descriptors, language, createOrder(), "");
  graph.fromJSON({ nodes: [...cells.notes, ...cells.nodes], edges: cells.edges });
  initialView(graph, container);

  const edgeKey = (source: string, outcome: string, target: string) => `${source}|${outcome}|${target}`;
  const edgeOf = (edge: Edge) => {
    const source = edge.getSourceCellId();
    const port = edge.getSourcePortId() ?? "";
    const target = edge.getTargetCellId();
    return edgeKey(source, port.startsWith(OUT_PREFIX) ? port.slice(OUT_PREFIX.length) : port, target);
  };

  return {
    show(path) {
      // The path also as attributes of the canvas: off-screen cells are not drawn (virtual rendering).
      container.dataset.visited = path.visited.join(" ");
      container.dataset.taken = path.taken.map((e) => `${e.source}:${e.outcome}`).join(" ");
      container.dataset.current = path.current ?? "";
      const visited = new Set(path.visited);
      const taken = new Set(path.taken.map((e) => edgeKey(e.source, e.outcome, e.target)));
      graph.batchUpdate(() => {
        for (const node of graph.getNodes()) {
          if (node.shape === NOTE_SHAPE) {
            continue;
          }
          const state = node.id === path.current ? "current" : visited.has(node.id) ? "visited" : "none";
          node.attr(
            {
              body: {
                stroke: state === "current" ? CURRENT : state === "visited" ? VISITED : PLAIN_NODE,
                strokeWidth: state === "current" ? 3 : state === "visited" ? 2 : 1,
                "data-replay": state,
              },
            },
            derived,
          );
        }
        for (const edge of graph.getEdges()) {
          const on = taken.has(edgeOf(edge));
          edge.attr({ line: { stroke: on ? VISITED : PLAIN_EDGE, strokeWidth: on ? 3 : 1.6, "data-replay": on ? "taken" : "none" } }, derived);
        }
      });
      // The current step in view (centred only when it is outside the visible area).
      const current = path.current ? graph.getCellById(path.current) : null;
      if (current?.isNode()) {
        const box = current.getBBox();
        const area = graph.getGraphArea();
        if (!area.containsRect(box)) {
          graph.centerCell(current);
        }
      }
      renderVisible(graph);
    },
    dispose() {
      graph.dispose();
    },
  };
}
