import type { NodeMetadata } from "@antv/x6";
import type { FlowNote } from "./contract";
import { NOTE_HEIGHT, NOTE_MAX_SIZE, NOTE_MIN_SIZE, NOTE_PREFIX, NOTE_WIDTH } from "./geometry";
import { noteMetadata } from "./note-metadata";
import type { Order } from "./order";

const within = (value: unknown, min: number, fallback: number) =>
  typeof value === "number" && Number.isFinite(value) ? Math.min(NOTE_MAX_SIZE, Math.max(min, value)) : fallback;
const coordinate = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/**
 * The x6 cells of a definition's notes, in its order. A note the canvas cannot show as stored (no id, a repeated id,
 * odd numbers) is shown as well as it can be; the validator names the problem.
 */
export function noteCells(notes: readonly FlowNote[] | undefined, order: Order, placeholder: string): NodeMetadata[] {
  const seen = new Set<string>();
  const cells: NodeMetadata[] = [];
  for (const note of notes ?? []) {
    if (!note || typeof note.id !== "string" || note.id === "" || seen.has(note.id)) {
      continue;
    }
    seen.add(note.id);
    order.of(NOTE_PREFIX + note.id);
    cells.push(
      noteMetadata(
        {
          id: note.id,
          text: typeof note.text === "string" ? note.text : "",
          x: coordinate(note.x),
          y: coordinate(note.y),
          width: within(note.width, NOTE_MIN_SIZE, NOTE_WIDTH),
          height: within(note.height, NOTE_MIN_SIZE, NOTE_HEIGHT),
        },
        placeholder,
      ),
    );
  }
  return cells;
}
