import type { Node } from "@antv/x6";
import type { NoteData } from "./contract";
import { derived } from "./geometry";
import { noteText } from "./note-text";

/** Shows a note's text after it or the note's size changed (typing, resizing, an undo); not an undo step of its own. */
export function refreshNote(node: Node, placeholder: string): void {
  const size = node.getSize();
  node.setAttrs(noteText(node.getData<NoteData>().text ?? "", placeholder, size.width, size.height), derived);
}
