import { wrapText } from "./wrap-text";

const FONT_SIZE = 12;
const LINE_HEIGHT = 16;
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/** The text's inset from the note's left/right and top/bottom edges. */
const INSET_X = 10;
const INSET_Y = 8;

/** The attrs that show a note's text wrapped into its box (or, while it is empty, a grey hint how to write one). */
export function noteText(text: string, placeholder: string, width: number, height: number) {
  const empty = text.trim() === "";
  const style = empty ? "italic" : "normal";
  return {
    label: {
      refX: INSET_X,
      refY: INSET_Y,
      fontSize: FONT_SIZE,
      fontFamily: FONT_FAMILY,
      lineHeight: LINE_HEIGHT,
      fontStyle: style,
      fill: empty ? "#7a6a2d" : "#3b3413",
      text: wrapText(
        empty ? placeholder : text,
        width - 2 * INSET_X,
        height - 2 * INSET_Y,
        `${style} ${FONT_SIZE}px ${FONT_FAMILY}`,
        LINE_HEIGHT,
      ),
    },
  };
}
