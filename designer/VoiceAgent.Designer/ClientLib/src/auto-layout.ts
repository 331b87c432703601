import type { NodePosition } from "./contract";
import { GRID_SIZE, LAYOUT_GAP_X, LAYOUT_GAP_Y } from "./geometry";

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

/** A long connection passes the layers between its ends through a narrow placeholder (one per target and layer). */
const CHANNEL_WIDTH = 16;
const CHANNEL_GAP = 28;
const SWEEPS = 12;
const PLACEMENT_ROUNDS = 8;

interface Item {
  id: string;
  width: number;
  height: number;
  real: boolean;
}

/**
 * A layered (Sugiyama-style) layout, top to bottom:
 * 1. edges that close a cycle are found depth-first from the roots and ignored for layering;
 * 2. layers are longest paths; a connection that spans several layers gets a placeholder in each layer it crosses
 *    (shared by all connections to the same target), so the layers leave a free lane for it;
 * 3. the order inside a layer is improved by barycentre sweeps (the order with the fewest crossings is kept);
 * 4. x positions pull each node under its neighbours while keeping the gaps (an isotonic regression per layer),
 *    y positions stack the layers with a fixed gap.
 * The gaps leave room for orthogonal connections around every node: no two nodes overlap, and the edge router finds a
 * way between them. Roughly linear in nodes and edges per sweep; 300 nodes take a few milliseconds.
 */
export function autoLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Map<string, NodePosition> {
  const ids = nodes.map((n) => n.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (byId.has(e.from) && byId.has(e.to) && e.from !== e.to && !out.get(e.from)!.includes(e.to)) {
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

  // Items: the nodes plus lane placeholders; links join items in adjacent layers.
  const items = new Map<string, Item>(nodes.map((n) => [n.id, { id: n.id, width: n.width, height: n.height, real: true }]));
  const itemLayer = new Map(layer);
  const down = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const up = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const link = (a: string, b: string) => {
    down.get(a)!.add(b);
    up.get(b)!.add(a);
  };
  for (const [from, targets] of forward) {
    for (const to of targets) {
      let previous = from;
      for (let l = layer.get(from)! + 1; l < layer.get(to)!; l++) {
        const lane = `\u0000lane:${to}:${l}`;
        if (!items.has(lane)) {
          items.set(lane, { id: lane, width: CHANNEL_WIDTH, height: 0, real: false });
          itemLayer.set(lane, l);
          down.set(lane, new Set());
          up.set(lane, new Set());
        }
        link(previous, lane);
        previous = lane;
      }
      link(previous, to);
    }
  }

  const layers: string[][] = [];
  for (const id of discovery) {
    (layers[layer.get(id)!] ??= []).push(id);
  }
  for (const [id, l] of itemLayer) {
    if (!items.get(id)!.real) {
      (layers[l] ??= []).push(id);
    }
  }
  for (let l = 0; l < layers.length; l++) {
    layers[l] ??= [];
  }

  // 3. Barycentre sweeps, alternately using the layer above and below; the best order seen is kept.
  const index = new Map<string, number>();
  const reindex = (row: string[]) => row.forEach((id, i) => index.set(id, i));
  layers.forEach(reindex);
  const crossings = () => {
    let count = 0;
    for (let l = 0; l + 1 < layers.length; l++) {
      const pairs: [number, number][] = [];
      for (const id of layers[l]!) {
        for (const t of down.get(id)!) {
          pairs.push([index.get(id)!, index.get(t)!]);
        }
      }
      for (let i = 0; i < pairs.length; i++) {
        for (let j = i + 1; j < pairs.length; j++) {
          const [a1, b1] = pairs[i]!;
          const [a2, b2] = pairs[j]!;
          if ((a1 - a2) * (b1 - b2) < 0) {
            count++;
          }
        }
      }
    }
    return count;
  };
  let best = layers.map((row) => [...row]);
  let fewest = crossings();
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
    const downward = sweep % 2 === 0;
    const range = layers.map((_, i) => i);
    if (!downward) {
      range.reverse();
    }
    for (const l of range.slice(1)) {
      const row = layers[l]!;
      const neighbours = downward ? up : down;
      const weight = new Map<string, number>();
      for (const id of row) {
        const ns = [...neighbours.get(id)!];
        weight.set(id, ns.length === 0 ? index.get(id)! : ns.reduce((sum, n) => sum + index.get(n)!, 0) / ns.length);
      }
      row.sort((a, b) => weight.get(a)! - weight.get(b)! || index.get(a)! - index.get(b)!);
      reindex(row);
    }
    const count = crossings();
    if (count < fewest) {
      fewest = count;
      best = layers.map((row) => [...row]);
    }
  }
  best.forEach((row, l) => {
    layers[l] = row;
    reindex(row);
  });

  // 4. x: centres. Start packed, then pull each item under its neighbours (alternately above and below).
  const gapBetween = (a: Item, b: Item) => (a.real && b.real ? LAYOUT_GAP_X : CHANNEL_GAP);
  const centre = new Map<string, number>();
  for (const row of layers) {
    let x = 0;
    row.forEach((id, i) => {
      const item = items.get(id)!;
      if (i > 0) {
        const previous = items.get(row[i - 1]!)!;
        x += previous.width / 2 + gapBetween(previous, item) + item.width / 2;
      }
      centre.set(id, x);
    });
  }
  for (let round = 0; round < PLACEMENT_ROUNDS; round++) {
    const downward = round % 2 === 0;
    const range = layers.map((_, i) => i);
    if (!downward) {
      range.reverse();
    }
    for (const l of range) {
      const row = layers[l]!;
      const wanted = row.map((id) => {
        const ns = [...(downward ? up : down).get(id)!, ...(round >= 2 ? [...(downward ? down : up).get(id)!] : [])];
        // The median neighbour (not the mean): a node lines up exactly with one of them, so lanes run straight.
        const xs = ns.map((n) => centre.get(n)!).sort((a, b) => a - b);
        return xs.length === 0 ? centre.get(id)! : xs[Math.floor((xs.length - 1) / 2)]!;
      });
      const placed = placeInOrder(
        row.map((id) => items.get(id)!),
        wanted,
        gapBetween,
      );
      row.forEach((id, i) => centre.set(id, placed[i]!));
    }
  }

  // 5. Coordinates: layers top to bottom, the whole drawing starting at x = 0.
  let left = Infinity;
  for (const [id, c] of centre) {
    left = Math.min(left, c - items.get(id)!.width / 2);
  }
  const positions = new Map<string, NodePosition>();
  let y = 0;
  for (const row of layers) {
    let tallest = 0;
    for (const id of row) {
      const item = items.get(id)!;
      if (item.real) {
        positions.set(id, { x: snap(centre.get(id)! - item.width / 2 - left), y: snap(y) });
        tallest = Math.max(tallest, item.height);
      }
    }
    y += tallest + LAYOUT_GAP_Y;
  }
  return positions;
}

const snap = (value: number) => Math.round(value / GRID_SIZE) * GRID_SIZE;

/**
 * Centres for a row of items in this order, as close as possible (least squares) to the wanted centres while each
 * keeps its gap to the one before: pool-adjacent-violators on the centres shifted by the minimum offsets.
 */
function placeInOrder(row: readonly Item[], wanted: readonly number[], gap: (a: Item, b: Item) => number): number[] {
  const offsets: number[] = [];
  let offset = 0;
  row.forEach((item, i) => {
    if (i > 0) {
      const previous = row[i - 1]!;
      offset += previous.width / 2 + gap(previous, item) + item.width / 2;
    }
    offsets.push(offset);
  });
  // Blocks of merged values: each holds its mean and how many items it covers.
  const blocks: { mean: number; count: number }[] = [];
  wanted.forEach((w, i) => {
    blocks.push({ mean: w - offsets[i]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.mean > blocks[blocks.length - 1]!.mean) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      blocks.push({ mean: (a.mean * a.count + b.mean * b.count) / (a.count + b.count), count: a.count + b.count });
    }
  });
  const result: number[] = [];
  for (const block of blocks) {
    for (let k = 0; k < block.count; k++) {
      result.push(block.mean + offsets[result.length]!);
    }
  }
  return result;
}
