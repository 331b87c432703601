import type { Graph, Node } from "@antv/x6";
import { GRID_SIZE, NODE_SHAPE, NOTE_HEIGHT, NOTE_MAX_COUNT, NOTE_PREFIX, NOTE_SHAPE, NOTE_WIDTH, ROUTE_PADDING } from "./geometry";
import { noteMetadata } from "./note-metadata";

const RINGS = 12;
const STEP = 4 * GRID_SIZE;

/** The free place nearest to `at` (searched in growing rings) where a note covers no activity; `at` if none is. */
function freeSpot(graph: Graph, at: { x: number; y: number }): { x: number; y: number } {
  const boxes = graph
    .getNodes()
    .filter((n) => n.shape === NODE_SHAPE)
    .map((n) => n.getBBox().inflate(ROUTE_PADDING));
  const free = (x: number, y: number) =>
    !boxes.some((b) => x < b.x + b.width && b.x < x + NOTE_WIDTH && y < b.y + b.height && b.y < y + NOTE_HEIGHT);
  for (let ring = 0; ring <= RINGS; ring++) {
    for (let i = -ring; i <= ring; i++) {
      for (const [dx, dy] of [
        [i, -ring],
        [i, ring],
        [-ring, i],
        [ring, i],
      ] as const) {
        const x = at.x + dx * STEP;
        const y = at.y + dy * STEP;
        if (free(x, y)) {
          return { x, y };
        }
      }
    }
  }
  return at;
}

/**
 * Adds an empty note near `at` (its top left corner; moved to the nearest place where it covers no activity), as one
 * undo step, and selects it; null when the flow already has the most notes it may have.
 */
export function addNote(graph: Graph, at: { x: number; y: number }, placeholder: string): Node | null {
  if (graph.getNodes().filter((n) => n.shape === NOTE_SHAPE).length >= NOTE_MAX_COUNT) {
    return null;
  }
  let n = 1;
  while (graph.hasCell(`${NOTE_PREFIX}note${n}`)) {
    n++;
  }
  const spot = freeSpot(graph, at);
  const note = { id: `note${n}`, text: "", x: spot.x, y: spot.y, width: NOTE_WIDTH, height: NOTE_HEIGHT };
  const node = graph.addNode(noteMetadata(note, placeholder));
  graph.resetSelection(node);
  return node;
}
