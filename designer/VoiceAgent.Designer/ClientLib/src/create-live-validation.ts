import type { Bridge } from "./bridge";
import type { FlowDefinition, ValidationError } from "./contract";
import { debounce } from "./debounce";

export interface LiveValidation {
  /** Validate soon (as you type). */
  changed(): void;
  /** Errors known for a definition just saved (the save response carries them). */
  known(definitionJson: string, errors: readonly ValidationError[]): void;
}

const WAIT_MS = 350;

/** Debounced POST /api/flows/validate; a result for an outdated canvas is dropped. */
export function createLiveValidation(
  bridge: Bridge,
  read: () => FlowDefinition,
  apply: (errors: readonly ValidationError[]) => void,
): LiveValidation {
  let lastJson = "";
  const validator = debounce(async () => {
    const definition = read();
    const json = JSON.stringify(definition);
    if (json === lastJson) {
      return;
    }
    const result = await bridge.validate(definition);
    if (result.ok && JSON.stringify(read()) === json) {
      lastJson = json;
      apply(result.value.errors ?? []);
    }
  }, WAIT_MS);

  return {
    changed: () => validator.schedule(),
    known(definitionJson, errors) {
      if (JSON.stringify(read()) === definitionJson) {
        lastJson = definitionJson;
        apply(errors);
      }
    },
  };
}
