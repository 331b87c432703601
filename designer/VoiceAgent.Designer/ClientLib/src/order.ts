export interface Order {
  /** The sequence number of a key, assigned when the key is first seen and kept for good. */
  of(key: string): number;
}

/**
 * A stable order for serialising nodes and connections: what was loaded keeps its place, new things go to the end,
 * and a node that comes back (undo of a delete) takes its old place again — so undo/redo yields the same JSON.
 */
export function createOrder(): Order {
  const seen = new Map<string, number>();
  return {
    of(key) {
      let value = seen.get(key);
      if (value === undefined) {
        value = seen.size;
        seen.set(key, value);
      }
      return value;
    },
  };
}
