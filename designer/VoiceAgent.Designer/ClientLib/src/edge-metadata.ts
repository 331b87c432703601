import type { EdgeMetadata } from "@antv/x6";
import type { FlowConnection } from "./contract";
import { EDGE_SHAPE, IN_PORT, OUT_PREFIX } from "./geometry";

/** The x6 edge of a connection: from the outcome's port to the target's input port. */
export function edgeMetadata(connection: FlowConnection): EdgeMetadata {
  return {
    shape: EDGE_SHAPE,
    source: { cell: connection.from, port: OUT_PREFIX + connection.outcome },
    target: { cell: connection.to, port: IN_PORT },
  };
}
