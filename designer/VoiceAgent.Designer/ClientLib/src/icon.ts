const SVG = "http://www.w3.org/2000/svg";

// Simple stroke icons (24×24 grid): paths, circles "c:cx,cy,r" and rectangles "r:x,y,w,h".
const shapes: Record<string, string[]> = {
  undo: ["M9 14 4 9l5-5", "M4 9h10.5a5.5 5.5 0 0 1 0 11H11"],
  redo: ["m15 14 5-5-5-5", "M20 9H9.5a5.5 5.5 0 0 0 0 11H13"],
  copy: ["r:8,8,12,12", "M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2"],
  paste: ["r:8,2,8,4", "M16 4h2a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2"],
  remove: ["M4 7h16", "M10 11v6", "M14 11v6", "M5 7l1 12a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2l1-12", "M9 7V4h6v3"],
  zoomIn: ["c:10,10,7", "M21 21l-6-6", "M7 10h6", "M10 7v6"],
  zoomOut: ["c:10,10,7", "M21 21l-6-6", "M7 10h6"],
  fit: ["M4 8V4h4", "M16 4h4v4", "M20 16v4h-4", "M8 20H4v-4"],
  layout: ["r:9,3,6,4", "r:3,17,6,4", "r:15,17,6,4", "M12 7v5", "M6 17v-3h12v3"],
  note: ["M5 4h14v10l-6 6H5z", "M13 20v-6h6", "M8 9h8", "M8 13h3"],
  mic: ["M9 6a3 3 0 0 1 6 0v5a3 3 0 0 1-6 0z", "M5 11a7 7 0 0 0 14 0", "M12 18v3", "M8 21h8"],
  stop: ["r:6,6,12,12"],
};

/** A small inline SVG icon (decorative: the button carries the accessible name). */
export function icon(name: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const shape of shapes[name] ?? []) {
    let element: SVGElement;
    if (shape.startsWith("c:")) {
      const [cx, cy, r] = shape.slice(2).split(",");
      element = document.createElementNS(SVG, "circle");
      element.setAttribute("cx", cx!);
      element.setAttribute("cy", cy!);
      element.setAttribute("r", r!);
    } else if (shape.startsWith("r:")) {
      const [x, y, width, height] = shape.slice(2).split(",");
      element = document.createElementNS(SVG, "rect");
      element.setAttribute("x", x!);
      element.setAttribute("y", y!);
      element.setAttribute("width", width!);
      element.setAttribute("height", height!);
      element.setAttribute("rx", "1.5");
    } else {
      element = document.createElementNS(SVG, "path");
      element.setAttribute("d", shape);
    }
    svg.append(element);
  }
  return svg;
}
