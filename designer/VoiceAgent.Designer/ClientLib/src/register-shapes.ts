import { Graph } from "@antv/x6";
import { EDGE_ROUTER, registerEdgeRouter } from "./edge-router";
import { EDGE_SHAPE, NODE_SHAPE, NODE_WIDTH, NOTE_HEIGHT, NOTE_SHAPE, NOTE_WIDTH } from "./geometry";

/**
 * The activity node (coloured stripe, title, summary, error badge; one input port on top, one labelled output port per
 * outcome on the right), the connection edge and the sticky note. Plain SVG, no foreignObject; only notes measure
 * their text (to wrap it), and a flow has few of them, so large flows render fast.
 */
export function registerShapes(): void {
  registerEdgeRouter();
  Graph.registerNode(
    NODE_SHAPE,
    {
      width: NODE_WIDTH,
      height: 62,
      markup: [
        { tagName: "rect", selector: "body" },
        { tagName: "rect", selector: "accent" },
        { tagName: "text", selector: "title" },
        { tagName: "text", selector: "subtitle" },
        { tagName: "circle", selector: "badge" },
        { tagName: "text", selector: "badgeText" },
      ],
      attrs: {
        body: {
          refWidth: "100%",
          refHeight: "100%",
          rx: 6,
          ry: 6,
          fill: "#ffffff",
          stroke: "#aab4c3",
          strokeWidth: 1,
        },
        accent: { width: 6, refHeight: "100%", rx: 3, ry: 3, fill: "#206bc4" },
        title: { x: 16, y: 19, fontSize: 13, fontWeight: 600, fill: "#182433", textAnchor: "start", textVerticalAnchor: "middle" },
        subtitle: { x: 16, y: 36, fontSize: 11, fill: "#5f6b7a", textAnchor: "start", textVerticalAnchor: "middle" },
        badge: { cx: NODE_WIDTH - 14, cy: 14, r: 8, fill: "#d63939", visibility: "hidden" },
        badgeText: {
          x: NODE_WIDTH - 14,
          y: 14,
          text: "!",
          fontSize: 11,
          fontWeight: 700,
          fill: "#ffffff",
          textAnchor: "middle",
          textVerticalAnchor: "middle",
          visibility: "hidden",
          pointerEvents: "none",
        },
      },
      ports: {
        groups: {
          in: {
            position: "top",
            attrs: {
              circle: { r: 6, magnet: "passive", stroke: "#5b6b84", strokeWidth: 1.5, fill: "#ffffff" },
            },
          },
          out: {
            position: "absolute",
            label: { position: { name: "left", args: { x: -12 } } },
            attrs: {
              circle: { r: 6, magnet: true, stroke: "#206bc4", strokeWidth: 1.5, fill: "#ffffff", cursor: "crosshair" },
              text: { fontSize: 11, fill: "#3a4859" },
            },
          },
        },
      },
    },
    true,
  );

  Graph.registerNode(
    NOTE_SHAPE,
    {
      width: NOTE_WIDTH,
      height: NOTE_HEIGHT,
      // Behind the connections (zIndex -1) and the activities.
      zIndex: -2,
      markup: [
        { tagName: "rect", selector: "body" },
        { tagName: "text", selector: "label" },
      ],
      attrs: {
        body: {
          refWidth: "100%",
          refHeight: "100%",
          rx: 4,
          ry: 4,
          fill: "#fff4bf",
          stroke: "#d9c36a",
          strokeWidth: 1,
        },
        label: {
          textAnchor: "start",
          textVerticalAnchor: "top",
        },
      },
    },
    true,
  );

  Graph.registerEdge(
    EDGE_SHAPE,
    {
      inherit: "edge",
      zIndex: -1,
      router: { name: EDGE_ROUTER },
      connector: { name: "rounded", args: { radius: 8 } },
      attrs: {
        line: {
          stroke: "#8594a8",
          strokeWidth: 1.6,
          targetMarker: { name: "block", width: 8, height: 6 },
        },
      },
    },
    true,
  );
}
