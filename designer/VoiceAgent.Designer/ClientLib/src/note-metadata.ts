import type { NodeMetadata } from "@antv/x6";
import type { FlowNote, NoteData } from "./contract";
import { NOTE_PREFIX, NOTE_SHAPE } from "./geometry";
import { noteText } from "./note-text";

/** The x6 metadata of a sticky note (id = "note:" + the note id, data = its text). */
export function noteMetadata(note: FlowNote, placeholder: string): NodeMetadata {
  const data: NoteData = { text: note.text };
  return {
    shape: NOTE_SHAPE,
    id: NOTE_PREFIX + note.id,
    x: note.x,
    y: note.y,
    width: note.width,
    height: note.height,
    data,
    attrs: noteText(note.text, placeholder, note.width, note.height),
  };
}
