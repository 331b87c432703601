// The Blazor test console's browser side (Console/TestConsole.razor): the microphone and the transcript's scrolling, as
// plain functions the designer's one JS interop module re-exports. The recording stays in the browser (startRecording:
// AudioWorklet, else ScriptProcessorNode); .NET gets the WAV as a stream (IJSStreamReference): JS→.NET messages are capped at 32 KB.
import { startRecording, type AudioRecording } from "./start-recording";

/** How starting went: recording (with how it captures), or why not — the console says so in German. */
export interface RecordStart {
  state: "recording" | "denied" | "missing" | "busy" | "unsupported" | "failed";
  /** While recording: "worklet" or "script-processor". */
  capture?: AudioRecording["capture"];
  /** When failed: the browser's message. */
  message?: string;
}

let current: AudioRecording | null = null;

/**
 * Starts recording the microphone (one recording at a time: a running one is thrown away). `progress`, when given, gets
 * `data-recorded-seconds` (one decimal) as audio arrives, so a browser test can wait for the recording itself.
 */
export async function recordStart(workletUrl: string, progress?: HTMLElement | null): Promise<RecordStart> {
  recordCancel();
  if (progress) {
    delete progress.dataset.recordedSeconds;
  }
  try {
    const recording = await startRecording(workletUrl, (seconds) => {
      if (progress) {
        progress.dataset.recordedSeconds = seconds.toFixed(1);
      }
    });
    current = recording;
    return { state: "recording", capture: recording.capture };
  } catch (error) {
    return startProblem(error);
  }
}

/**
 * Stops the recording and returns it as a 16-bit PCM mono WAV; empty when none is running (never null: .NET takes the
 * result as an IJSStreamReference, which must be a typed array or a Blob).
 */
export async function recordStop(): Promise<Uint8Array> {
  const recording = current;
  current = null;
  if (!recording) {
    return new Uint8Array(0);
  }
  const wav = await recording.stop();
  return new Uint8Array(await wav.arrayBuffer());
}

/** Stops and throws the recording away (reset, leaving the page); nothing when none is running. */
export function recordCancel(): void {
  current?.cancel();
  current = null;
}

/** Why startRecording rejected (see microphone-problem.ts, whose texts the console shows from its resources). */
function startProblem(error: unknown): RecordStart {
  const name = error instanceof DOMException ? error.name : error instanceof TypeError ? "TypeError" : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return { state: "denied" };
    case "NotFoundError":
    case "OverconstrainedError":
      return { state: "missing" };
    case "NotReadableError":
    case "AbortError":
      return { state: "busy" };
    case "TypeError":
      return { state: "unsupported" };
    default:
      return { state: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

/** Scrolls the console's transcript to its newest line (called after a render that added lines). */
export function scrollToEnd(element: HTMLElement | null): void {
  if (element) {
    element.scrollTop = element.scrollHeight;
  }
}
