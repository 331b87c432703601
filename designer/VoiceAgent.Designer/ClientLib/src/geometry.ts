// Canvas constants shared by the shapes, the metadata, the layout and the marks. Constants only.
export const NODE_WIDTH = 224;
export const NODE_HEADER = 46;
export const OUTCOME_ROW = 20;
export const NODE_MIN_HEIGHT = 62;

/** The canvas grid: snapping, arrow-key steps (Shift: ten steps). */
export const GRID_SIZE = 10;

/** Free space the auto-layout leaves between nodes side by side and between layers (lanes for the connections). */
export const LAYOUT_GAP_X = 72;
export const LAYOUT_GAP_Y = 72;
/** Distance connections keep from nodes they pass (the router's padding); less than half of the layout gaps. */
export const ROUTE_PADDING = 16;

/** Notes: the size of a new one, the smallest one, and the limits the server's validation sets (FlowNote). */
export const NOTE_WIDTH = 200;
export const NOTE_HEIGHT = 120;
export const NOTE_MIN_SIZE = 40;
export const NOTE_MAX_SIZE = 2000;
export const NOTE_MAX_TEXT = 2000;
export const NOTE_MAX_COUNT = 100;
/** A note's x6 cell id is this prefix and the note id, so notes and activities never share an id. */
export const NOTE_PREFIX = "note:";

export const NODE_SHAPE = "va-activity";
export const EDGE_SHAPE = "va-edge";
export const NOTE_SHAPE = "va-note";
export const IN_PORT = "in";
export const OUT_PREFIX = "out:";

/** Options for changes the canvas derives itself (labels, ports, marks): they are not undo steps of their own. */
export const derived = { ignoreHistory: true } as const;
