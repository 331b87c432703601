import type { Texts } from "./texts";

/** What to tell the user when recording could not start (startRecording's rejection), in the page language. */
export function microphoneProblem(error: unknown, texts: Texts): string {
  const name = error instanceof DOMException ? error.name : error instanceof TypeError ? "TypeError" : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return texts("console.micDenied");
    case "NotFoundError":
    case "OverconstrainedError":
      return texts("console.micMissing");
    case "NotReadableError":
    case "AbortError":
      return texts("console.micBusy");
    case "TypeError":
      return texts("console.micUnsupported");
    default:
      return texts("console.micFailed", error instanceof Error ? error.message : String(error));
  }
}
