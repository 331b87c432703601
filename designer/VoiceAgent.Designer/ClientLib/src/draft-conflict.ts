import type { Bridge } from "./bridge";
import type { Problem } from "./contract";
import type { Session } from "./designer-context";
import type { Texts } from "./texts";

/**
 * Asks the server (cheaply: the version list) whether a save would be refused because another draft exists than the
 * one this editor started from. The save itself is still checked by the server (409 on a race); asking first keeps the
 * usual conflict out of the browser console, which reports every 4xx response as an error.
 */
export async function draftConflict(bridge: Bridge, session: Session, texts: Texts): Promise<Problem | null> {
  const flow = await bridge.flow();
  if (!flow.ok) {
    return null;
  }
  const draft = flow.value.versions.find((v) => v.status === "draft");
  if (!draft) {
    return null;
  }
  if (session.status !== "draft") {
    return { title: texts("save.draftExists", draft.version), status: 409, currentRevision: draft.revision ?? null };
  }
  const same = draft.version === session.version && (draft.revision === undefined || draft.revision === session.revision);
  return same ? null : { title: texts("save.conflictTitle"), status: 409, currentRevision: draft.revision ?? null };
}
