let context: CanvasRenderingContext2D | null = null;

/**
 * Breaks text into lines no wider than `width` (at spaces; a word too long for a line is split), keeps the line
 * breaks it has, and cuts it with "…" after as many lines as fit into `height`. Measured with the canvas 2D context
 * in the font the SVG text uses, so what is measured is what is drawn.
 */
export function wrapText(text: string, width: number, height: number, font: string, lineHeight: number): string {
  context ??= document.createElement("canvas").getContext("2d");
  if (!context) {
    return text;
  }
  const ctx = context;
  ctx.font = font;
  const fits = (line: string) => ctx.measureText(line).width <= width;
  const maxLines = Math.max(1, Math.floor(height / lineHeight));

  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/ +/)) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line !== "") {
        lines.push(line);
      }
      // A word wider than the line goes on in pieces.
      let rest = word;
      while (!fits(rest) && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && !fits(rest.slice(0, cut))) {
          cut--;
        }
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
    if (lines.length > maxLines) {
      break;
    }
  }

  if (lines.length <= maxLines) {
    return lines.join("\n");
  }
  const shown = lines.slice(0, maxLines);
  let last = `${shown[maxLines - 1]!}…`;
  while (last.length > 1 && !fits(last)) {
    last = `${last.slice(0, -2)}…`;
  }
  shown[maxLines - 1] = last;
  return shown.join("\n");
}
