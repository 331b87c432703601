import { type Edge, type EdgeView, Graph, type Node, type PointLike } from "@antv/x6";
import { routingDeferred } from "./defer-routing";
import { GRID_SIZE, NODE_SHAPE, ROUTE_PADDING } from "./geometry";
import { createRouteGrid, type GridPoint, type RouteGrid } from "./route-grid";

export const EDGE_ROUTER = "va-orthogonal";

interface GridState {
  grid: RouteGrid | null;
  dirty: boolean;
  /** Counts rebuilds: a remembered route is valid for the raster it was found on. */
  version: number;
}

const grids = new WeakMap<Graph, GridState>();
/** The last route of each connection: x6 asks again when a connection is redrawn (scrolled into view, restyled). */
const routes = new WeakMap<Edge, { key: string; points: GridPoint[] }>();

/** The obstacle raster of a graph's activity nodes, rebuilt lazily after nodes were added, removed, moved or resized. */
function gridOf(graph: Graph): GridState {
  let state = grids.get(graph);
  if (!state) {
    const fresh: GridState = { grid: null, dirty: true, version: 0 };
    const dirty = () => {
      fresh.dirty = true;
    };
    for (const event of ["cell:added", "cell:removed", "reseted", "node:change:position", "node:change:size"] as const) {
      graph.model.on(event, dirty);
    }
    grids.set(graph, fresh);
    state = fresh;
  }
  if (state.dirty) {
    const boxes = graph
      .getNodes()
      .filter((n) => n.shape === NODE_SHAPE && n.isVisible())
      .map((n) => n.getBBox());
    state.grid = createRouteGrid(boxes, ROUTE_PADDING, GRID_SIZE);
    state.dirty = false;
    state.version++;
  }
  return state;
}

const up = (value: number) => Math.ceil(value / GRID_SIZE) * GRID_SIZE;
const down = (value: number) => Math.floor(value / GRID_SIZE) * GRID_SIZE;
const near = (value: number) => Math.round(value / GRID_SIZE) * GRID_SIZE;

/** Out to the right, down (or up) beside the source, across above the target, and in from the top. */
function simpleRoute(start: GridPoint, end: GridPoint, from: PointLike): GridPoint[] {
  return [{ x: start.x, y: from.y }, { x: start.x, y: end.y }, end];
}

/**
 * Connections are orthogonal and go around nodes: they leave an outcome port to the right, enter the input port from
 * above and keep ROUTE_PADDING from every activity they pass (notes are no obstacles: a connection may cross a
 * comment). The route is a shortest path with few bends on the canvas grid (route-grid.ts); when there is none (the
 * nodes are packed too tightly) or while a new connection is being dragged, it takes the simple route.
 */
export function registerEdgeRouter(): void {
  Graph.registerRouter(
    EDGE_ROUTER,
    (_vertices, _options, edgeView: EdgeView) => {
      const edge = edgeView.cell;
      const source = edge.getSourceCell();
      const from = edgeView.sourceAnchor;
      const to = edgeView.targetAnchor;
      if (!source?.isNode() || !from || !to) {
        return [];
      }
      const sourceBox = (source as Node).getBBox();
      const start = { x: up(sourceBox.x + sourceBox.width + ROUTE_PADDING), y: near(from.y) };
      const target = edge.getTargetCell();
      if (!target?.isNode()) {
        return [{ x: start.x, y: from.y }, { x: start.x, y: to.y }];
      }
      const targetBox = (target as Node).getBBox();
      const end = { x: near(to.x), y: down(targetBox.y - ROUTE_PADDING) };
      if (routingDeferred()) {
        return simpleRoute(start, end, from);
      }
      const state = gridOf(edgeView.graph);
      const key = `${state.version}|${start.x},${start.y}|${end.x},${end.y}`;
      const known = routes.get(edge);
      if (known?.key !== key) {
        routes.set(edge, { key, points: state.grid?.route(start, end) ?? simpleRoute(start, end, from) });
      }
      return routes.get(edge)!.points.map((p) => ({ x: p.x, y: p.y }));
    },
    true,
  );
}
