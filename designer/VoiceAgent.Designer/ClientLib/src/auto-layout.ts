import type { NodePosition } from "./contract";

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  /** Roots (the Start node) go first in the top layer. */
  root?: boolean;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

const GAP_X = 56;
const GAP_Y = 64;
const SWEEPS = 6;

/**
 * A small layered (Sugiyama-style) layout, top to bottom: back edges are ignored (depth-first from the roots),
 * layers are longest paths, the order inside a layer is improved by barycentre sweeps, and each layer is centred.
 * Linear in nodes and edges per sweep; 300 nodes take a few milliseconds.
 */
export function autoLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Map<string, NodePosition> {
  const ids = nodes.map((n) => n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (byId.has(e.from) && byId.has(e.to) && e.from !== e.to) {
      out.get(e.from)!.push(e.to);
    }
  }

  // 1. Depth-first from the roots (then from anything left) to find the edges that close a cycle.
  const state = new Map<string, 0 | 1 | 2>();
  const forward = new Map<string, string[]>(ids.map((id) => [id, []]));
  const discovery: string[] = [];
  const starts = [...nodes.filter((n) => n.root).map((n) => n.id), ...ids];
  for (const start of starts) {
    if (state.get(start)) {
      continue;
    }
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    discovery.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = out.get(top.id)!;
      if (top.next >= targets.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      const s = state.get(target) ?? 0;
      if (s === 1) {
        continue; // back edge
      }
      forward.get(top.id)!.push(target);
      if (s === 0) {
        state.set(target, 1);
        discovery.push(target);
        stack.push({ id: target, next: 0 });
      }
    }
  }

  // 2. Longest-path layers over the acyclic forward edges (Kahn's order).
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const targets of forward.values()) {
    for (const t of targets) {
      indegree.set(t, indegree.get(t)! + 1);
    }
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const queue = discovery.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const t of forward.get(id)!) {
      layer.set(t, Math.max(layer.get(t)!, layer.get(id)! + 1));
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) {
        queue.push(t);
      }
    }
  }

  const layers: string[][] = [];
  for (const id of discovery) {
    (layers[layer.get(id)!] ??= []).push(id);
  }

  // 3. Barycentre sweeps, alternately using the layer above and below.
  const incoming = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, targets] of forward) {
    for (const t of targets) {
      incoming.get(t)!.push(from);
    }
  }
  const index = new Map<string, number>();
  const reindex = (row: string[]) => row.forEach((id, i) => index.set(id, i));
  layers.forEach(reindex);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const down = sweep % 2 === 0;
    const range = down
      ? layers.map((_, i) => i).slice(1)
      : layers
          .map((_, i) => i)
          .reverse()
          .slice(1);
    for (const l of range) {
      const row = layers[l]!;
      const neighbours = down ? incoming : forward;
      const weight = new Map<string, number>();
      for (const id of row) {
        const ns = neighbours.get(id)!.filter((n) => layer.get(n) === (down ? l - 1 : l + 1));
        weight.set(id, ns.length === 0 ? index.get(id)! : ns.reduce((sum, n) => sum + index.get(n)!, 0) / ns.length);
      }
      row.sort((a, b) => weight.get(a)! - weight.get(b)! || index.get(a)! - index.get(b)!);
      reindex(row);
    }
  }

  // 4. Coordinates: layers top to bottom, each centred on x = 0.
  const positions = new Map<string, NodePosition>();
  let y = 0;
  for (const row of layers) {
    const widths = row.map((id) => byId.get(id)!.width);
    const total = widths.reduce((a, b) => a + b, 0) + GAP_X * (row.length - 1);
    let x = -total / 2;
    let tallest = 0;
    row.forEach((id, i) => {
      positions.set(id, { x: Math.round(x), y: Math.round(y) });
      x += widths[i]! + GAP_X;
      tallest = Math.max(tallest, byId.get(id)!.height);
    });
    y += tallest + GAP_Y;
  }
  return positions;
}
