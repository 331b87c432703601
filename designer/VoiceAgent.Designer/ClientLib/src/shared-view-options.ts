import { type CellViewOptions, EdgeView, type Graph, NodeView } from "@antv/x6";

type Options = Partial<CellViewOptions>;

const byGraph = new WeakMap<Graph, Map<unknown, unknown>>();

/** The options of `type`'s views in `graph`, computed once; anything but the renderer's plain `{ graph }` is computed anew. */
function shared<T>(type: unknown, options: Options, compute: () => T): T {
  const graph = options.graph as Graph | undefined;
  if (!graph || Object.keys(options).length !== 1) {
    return compute();
  }
  let byType = byGraph.get(graph);
  if (!byType) {
    byType = new Map();
    byGraph.set(graph, byType);
  }
  if (!byType.has(type)) {
    byType.set(type, compute());
  }
  return byType.get(type) as T;
}

/**
 * x6 gives every view its own options, deep-cloned from the view class's defaults and deep-merged (lodash) with what the
 * renderer passes — for every cell at load, drawn or not (virtual rendering only defers drawing): about a third of
 * opening a 300-node flow. The renderer passes the same `{ graph }` to every view and views only read their options,
 * so the views of a graph share one options object per class.
 */
export class SharedOptionsNodeView extends NodeView {
  static override getOptions<T extends CellViewOptions = CellViewOptions>(options: Partial<T>): T {
    return shared(SharedOptionsNodeView, options, () => super.getOptions<T>(options));
  }
}

/** See {@link SharedOptionsNodeView}. */
export class SharedOptionsEdgeView extends EdgeView {
  static override getOptions<T extends CellViewOptions = CellViewOptions>(options: Partial<T>): T {
    return shared(SharedOptionsEdgeView, options, () => super.getOptions<T>(options));
  }
}
