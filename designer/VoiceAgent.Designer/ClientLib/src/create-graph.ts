import { Graph, History, MiniMap, NodeView, Selection, Snapline, Transform, type Cell, type Node } from "@antv/x6";
import { EDGE_ROUTER } from "./edge-router";
import { SharedOptionsEdgeView, SharedOptionsNodeView } from "./shared-view-options";
import { EDGE_SHAPE, GRID_SIZE, IN_PORT, NODE_SHAPE, NOTE_MAX_SIZE, NOTE_MIN_SIZE, NOTE_SHAPE, OUT_PREFIX } from "./geometry";

/** The minimap draws each node as one rectangle (no texts, no ports, no edges): cheap even for large flows. */
class OverviewNodeView extends NodeView {
  protected override renderMarkup() {
    this.renderJSONMarkup({ tagName: "rect", selector: "body" });
  }

  protected override renderPorts() {}

  protected override updatePorts() {}

  override update() {
    super.update({ body: { refWidth: "100%", refHeight: "100%", fill: "#9fb3cc", stroke: "none", rx: 4, ry: 4 } });
  }
}

/** x6's minimap fits its drawing when cells are added or removed; a flow also changes shape when nodes move. */
class FittingMiniMap extends MiniMap {
  override init(graph: Graph) {
    super.init(graph);
    const refit = () => {
      this.targetGraph.zoomToFit();
      this.updateViewport();
    };
    graph.on("batch:stop", refit);
    graph.on("history:undo", refit);
    graph.on("history:redo", refit);
  }
}

/**
 * The canvas with its plugins: selection with rubber band, undo/redo history (changes the canvas derives itself are
 * marked ignoreHistory and not recorded), snap lines, resize handles for notes (activities size themselves) and the
 * minimap. Connections start at an outcome port and end on
 * a node (its input port).
 */
export function createGraph(container: HTMLElement, minimap: HTMLElement): Graph {
  const graph = new Graph({
    container,
    autoResize: true,
    // Synchronous rendering of only what is in view: opening a large flow draws a screenful, panning draws the rest.
    async: false,
    virtual: { enabled: true, margin: 160 },
    background: { color: "var(--va-canvas-bg)" },
    grid: { visible: true, size: GRID_SIZE, type: "dot", args: { color: "#c5cedb", thickness: 1 } },
    panning: { enabled: true, eventTypes: ["rightMouseDown", "mouseWheel"] },
    mousewheel: { enabled: true, modifiers: ["ctrl", "meta"], minScale: 0.15, maxScale: 2, factor: 1.1 },
    scaling: { min: 0.15, max: 2 },
    preventDefaultContextMenu: true,
    createCellView(cell: Cell) {
      return cell.isEdge() ? SharedOptionsEdgeView : SharedOptionsNodeView;
    },
    connecting: {
      snap: { radius: 30 },
      allowBlank: false,
      allowLoop: true,
      allowNode: true,
      allowEdge: false,
      allowPort: true,
      allowMulti: true,
      highlight: true,
      router: { name: EDGE_ROUTER },
      connector: { name: "rounded", args: { radius: 8 } },
      createEdge() {
        return this.createEdge({ shape: EDGE_SHAPE });
      },
      validateMagnet({ magnet }) {
        return magnet.getAttribute("port-group") === "out";
      },
      validateConnection({ sourcePort, targetCell, targetPort }) {
        return (
          !!sourcePort?.startsWith(OUT_PREFIX) && targetCell?.shape === NODE_SHAPE && (!targetPort || targetPort === IN_PORT)
        );
      },
    },
    highlighting: {
      magnetAvailable: { name: "stroke", args: { padding: 3, attrs: { stroke: "#2fb344", "stroke-width": 2 } } },
      magnetAdsorbed: { name: "stroke", args: { padding: 4, attrs: { stroke: "#206bc4", "stroke-width": 3 } } },
    },
  });

  graph.use(
    new Selection({
      enabled: true,
      multiple: true,
      rubberband: true,
      movable: true,
      showNodeSelectionBox: true,
      showEdgeSelectionBox: false,
      pointerEvents: "none",
    }),
  );
  graph.use(
    new History({
      enabled: true,
      beforeAddCommand(_event, args) {
        const options = (args as { options?: { ignoreHistory?: boolean } }).options;
        return options?.ignoreHistory !== true;
      },
    }),
  );
  graph.use(new Snapline({ enabled: true, sharp: true }));
  graph.use(
    new Transform({
      resizing: {
        enabled: (node: Node) => node.shape === NOTE_SHAPE,
        minWidth: NOTE_MIN_SIZE,
        minHeight: NOTE_MIN_SIZE,
        maxWidth: NOTE_MAX_SIZE,
        maxHeight: NOTE_MAX_SIZE,
        orthogonal: false,
      },
    }),
  );
  graph.use(
    new FittingMiniMap({
      container: minimap,
      width: 180,
      height: 120,
      padding: 8,
      graphOptions: {
        createCellView(cell: Cell) {
          return cell.isEdge() ? null : OverviewNodeView;
        },
      },
    }),
  );
  return graph;
}
