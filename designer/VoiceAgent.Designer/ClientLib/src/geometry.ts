// Canvas constants shared by the shapes, the metadata, the layout and the marks. Constants only.
export const NODE_WIDTH = 224;
export const NODE_HEADER = 46;
export const OUTCOME_ROW = 20;
export const NODE_MIN_HEIGHT = 62;

export const NODE_SHAPE = "va-activity";
export const EDGE_SHAPE = "va-edge";
export const IN_PORT = "in";
export const OUT_PREFIX = "out:";

/** Options for changes the canvas derives itself (labels, ports, marks): they are not undo steps of their own. */
export const derived = { ignoreHistory: true } as const;
