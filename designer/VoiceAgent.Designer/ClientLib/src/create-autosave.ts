import type { Bridge } from "./bridge";
import type { FlowDefinition, Problem, SaveResult } from "./contract";
import { debounce } from "./debounce";
import type { Session } from "./designer-context";
import { draftConflict } from "./draft-conflict";
import type { Texts } from "./texts";

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";

export interface AutosaveEvents {
  state(state: SaveState, detail?: string): void;
  saved(result: SaveResult, definitionJson: string): void;
  conflict(problem: Problem): void;
}

export interface Autosave {
  /** The canvas changed: save after a short pause (not while in conflict). */
  changed(): void;
  /** Saves now; true when the canvas is saved. */
  flush(): Promise<boolean>;
  /** A definition was (re)loaded: it is the saved state. */
  reset(definitionJson: string): void;
  readonly state: SaveState;
}

const WAIT_MS = 800;
const RETRY_MS = 5000;

/**
 * Saves the draft automatically (debounced PUT with the revision). On 409 it stops and reports the conflict: the
 * local definition stays on the canvas untouched, nothing is overwritten on either side.
 */
export function createAutosave(
  bridge: Bridge,
  session: Session,
  read: () => FlowDefinition,
  events: AutosaveEvents,
  texts: Texts,
): Autosave {
  let lastJson = "";
  let state: SaveState = "saved";
  let retry: ReturnType<typeof setTimeout> | null = null;

  function setState(next: SaveState, detail?: string) {
    state = next;
    events.state(next, detail);
  }

  const saver = debounce(async () => {
    if (state === "conflict") {
      return;
    }
    const definition = read();
    const json = JSON.stringify(definition);
    if (json === lastJson) {
      setState("saved");
      return;
    }
    setState("saving");
    const early = await draftConflict(bridge, session, texts);
    if (early) {
      setState("conflict");
      events.conflict(early);
      return;
    }
    const result = await bridge.saveDraft(definition, session.status === "draft" ? session.revision : null);
    if (result.ok) {
      lastJson = json;
      session.version = result.value.version;
      session.status = result.value.status ?? "draft";
      session.revision = result.value.revision ?? null;
      events.saved(result.value, json);
      if (JSON.stringify(read()) === json) {
        setState("saved");
      } else {
        setState("dirty");
        saver.schedule();
      }
    } else if (result.status === 409) {
      setState("conflict");
      events.conflict(result.problem);
    } else {
      setState("error", result.problem.detail || result.problem.title);
      if (result.status === 0 || result.status >= 500) {
        retry ??= setTimeout(() => {
          retry = null;
          if (state === "error") {
            saver.schedule();
          }
        }, RETRY_MS);
      }
    }
  }, WAIT_MS);

  return {
    changed() {
      if (state === "conflict") {
        return;
      }
      setState("dirty");
      saver.schedule();
    },
    async flush() {
      if (state === "dirty" || state === "error") {
        saver.schedule();
      }
      await saver.flush();
      return state === "saved";
    },
    reset(definitionJson) {
      saver.cancel();
      lastJson = definitionJson;
      setState("saved");
    },
    get state() {
      return state;
    },
  };
}
