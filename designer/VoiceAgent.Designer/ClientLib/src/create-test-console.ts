import type { JsonValue, SimulationTurn } from "./contract";
import type { DesignerContext } from "./designer-context";
import { h } from "./dom";
import { icon } from "./icon";
import { microphoneProblem } from "./microphone-problem";
import { problemText } from "./problem-text";
import { startRecording, type AudioRecording } from "./start-recording";

/** A spoken answer ends by itself after this long (the server takes up to 30 s). */
const maxRecordingSeconds = 15;

export interface TestConsoleHooks {
  /** Highlights the node the simulator is at (null: none). */
  highlight(nodeId: string | null): void;
  /** A readable name of a node for the trace. */
  nodeTitle(nodeId: string): string;
}

/**
 * A chat with the open version running in the simulator (the real runtime with the sandbox calendar): the agent's
 * lines, the current node highlighted on the canvas, variables and the trace of visited nodes; reset starts over.
 * Answers are typed, or spoken when the server has speech-to-text (designer options `speechToText`): the microphone
 * button records (press again, or it stops after 15 s), the WAV goes to the server, which transcribes it and takes the
 * turn; the console shows "Sie sagten: …" and the agent's reply.
 */
export function createTestConsole(container: HTMLElement, context: DesignerContext, hooks: TestConsoleHooks): void {
  const { bridge, texts, session } = context;
  let sessionId: string | null = null;
  let busy = false;
  let incidentsShown = 0;

  const transcript = h("ol", {
    class: "va-chat",
    "data-testid": "console-transcript",
    "aria-live": "polite",
    "aria-label": texts("console.title"),
  });
  const status = h("p", { class: "va-muted small", "data-testid": "console-status", role: "status" }, texts("console.idle"));
  const input = h("input", {
    type: "text",
    class: "form-control form-control-sm",
    id: "va-console-input",
    "data-testid": "console-input",
    "aria-label": texts("console.input"),
    placeholder: texts("console.input"),
    autocomplete: "off",
    disabled: true,
  });
  const send = h(
    "button",
    { type: "submit", class: "btn btn-sm btn-primary", "data-testid": "console-send", disabled: true },
    texts("console.send"),
  );
  const start = h("button", { type: "button", class: "btn btn-sm btn-primary", "data-testid": "console-start" }, texts("console.start"));
  const reset = h(
    "button",
    { type: "button", class: "btn btn-sm btn-outline-secondary", "data-testid": "console-reset", disabled: true },
    texts("console.reset"),
  );
  // The run on the version that ran, step by step (the portal's replay page, in a tab of its own).
  const replay = h(
    "a",
    { class: "btn btn-sm btn-link", target: "_blank", rel: "noopener", "data-testid": "console-replay", hidden: true },
    texts("console.replay"),
  );
  const variables = h("pre", {
    class: "va-variables",
    "data-testid": "console-variables",
    tabindex: 0,
    "aria-label": texts("console.variables"),
  });
  const trace = h("ol", { class: "va-trace", "data-testid": "console-trace" });
  // Only offered when the server can transcribe; the recording state shows on the button and in its status line.
  const mic = context.options.speechToText
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn-sm btn-outline-primary va-mic",
          "data-testid": "console-mic",
          "aria-label": texts("console.mic"),
          title: texts("console.mic"),
          "aria-pressed": "false",
          disabled: true,
        },
        icon("mic"),
      )
    : null;
  const micStatus = h("p", { class: "va-mic-status small", "data-testid": "console-mic-status", role: "status", hidden: true });
  const form = h("form", { class: "input-group input-group-sm va-chat-form" }, input, mic, send);
  let recording: AudioRecording | null = null;
  let recordingTimer: ReturnType<typeof setTimeout> | undefined;

  function line(role: "agent" | "caller" | "system", text: string, spoken = false) {
    const who = role === "agent" ? texts("console.agent") : role === "caller" && !spoken ? texts("console.caller") : "";
    transcript.append(
      h(
        "li",
        { class: `va-chat-${role}`, "data-role": role, "data-source": spoken ? "speech" : null },
        spoken ? icon("mic") : null,
        who ? h("span", { class: "va-chat-who" }, `${who}: `) : null,
        h("span", { class: "va-chat-text" }, text),
      ),
    );
    transcript.scrollTop = transcript.scrollHeight;
  }

  function showRecording(on: boolean, message: string | null) {
    if (!mic) {
      return;
    }
    mic.classList.toggle("va-recording", on);
    mic.setAttribute("aria-pressed", on ? "true" : "false");
    mic.setAttribute("aria-label", on ? texts("console.micStop") : texts("console.mic"));
    mic.title = on ? texts("console.micStop") : texts("console.mic");
    mic.replaceChildren(icon(on ? "stop" : "mic"));
    micStatus.dataset.state = on ? "recording" : message ? "sending" : "idle";
    micStatus.textContent = message ?? "";
    micStatus.hidden = message === null;
  }

  function cancelRecording() {
    clearTimeout(recordingTimer);
    recording?.cancel();
    recording = null;
    showRecording(false, null);
  }

  async function toggleRecording() {
    if (recording) {
      await finishRecording();
      return;
    }
    if (!sessionId || busy) {
      return;
    }
    busy = true;
    try {
      delete micStatus.dataset.recordedSeconds;
      recording = await startRecording(context.config.recorderUrl, (seconds) => {
        micStatus.dataset.recordedSeconds = seconds.toFixed(1);
      });
    } catch (error) {
      line("system", microphoneProblem(error, texts));
      return;
    } finally {
      busy = false;
    }
    input.disabled = true;
    send.disabled = true;
    mic?.setAttribute("data-capture", recording.capture);
    showRecording(true, texts("console.recording", maxRecordingSeconds));
    recordingTimer = setTimeout(() => void finishRecording(), maxRecordingSeconds * 1000);
  }

  async function finishRecording() {
    const current = recording;
    clearTimeout(recordingTimer);
    recording = null;
    if (!current) {
      return;
    }
    if (!sessionId || busy) {
      current.cancel();
      showRecording(false, null);
      answerable(status.dataset.state === "waiting");
      return;
    }
    busy = true;
    if (mic) {
      mic.disabled = true;
    }
    showRecording(false, texts("console.transcribing"));
    try {
      const wav = await current.stop();
      const result = await bridge.simulationSpeech(sessionId, wav);
      if (result.ok) {
        if (result.value.heard) {
          line("caller", texts("console.heard", result.value.heard), true);
        } else if (result.value.hint) {
          line("system", result.value.hint);
        }
        show(result.value);
        return;
      }
      // Too long, unreadable, recognition down …: say why; the caller may try again or type.
      line("system", problemText(result.problem));
    } catch (error) {
      line("system", texts("console.micFailed", error instanceof Error ? error.message : String(error)));
    } finally {
      busy = false;
      showRecording(false, null);
    }
    answerable(true);
  }

  /** Enables or disables the ways to answer (typed and spoken). */
  function answerable(on: boolean) {
    input.disabled = !on;
    send.disabled = !on;
    if (mic) {
      mic.disabled = !on;
    }
  }

  function show(turn: SimulationTurn) {
    sessionId = turn.sessionId;
    replay.href = `/app/flows/${encodeURIComponent(context.config.flowId)}/sessions/${encodeURIComponent(turn.sessionId)}/replay`;
    replay.hidden = false;
    for (const text of turn.lines ?? []) {
      line("agent", text);
    }
    for (const target of turn.transfers ?? []) {
      line("system", texts("console.transfer", target));
    }
    // Incidents accumulate over the session; show only the new ones.
    for (const incident of (turn.incidents ?? []).slice(incidentsShown)) {
      if (incident.message) {
        line("system", texts("console.incident", incident.message));
      }
    }
    incidentsShown = (turn.incidents ?? []).length;
    const waiting = turn.status === "suspended";
    answerable(waiting);
    reset.disabled = false;
    status.dataset.state = waiting ? "waiting" : "ended";
    status.textContent = [
      waiting ? texts("console.waiting") : texts("console.ended"),
      turn.currentNodeId ? texts("console.current", hooks.nodeTitle(turn.currentNodeId)) : "",
    ]
      .filter((t) => t !== "")
      .join(" ");
    hooks.highlight(waiting ? turn.currentNodeId : null);
    variables.textContent = JSON.stringify(turn.variables as JsonValue, null, 2);
    for (const nodeId of turn.visited ?? []) {
      const item = h("button", { type: "button", class: "btn btn-link btn-sm p-0", "data-node": nodeId }, hooks.nodeTitle(nodeId));
      item.addEventListener("click", () => context.focusNode(nodeId));
      trace.append(h("li", null, item));
    }
    if (waiting) {
      input.focus();
    }
  }

  function fail(message: string) {
    line("system", texts("console.failed", message));
    status.textContent = texts("console.ended");
    status.dataset.state = "failed";
    answerable(false);
    reset.disabled = false;
  }

  async function begin() {
    if (busy) {
      return;
    }
    cancelRecording();
    busy = true;
    try {
      transcript.replaceChildren();
      trace.replaceChildren();
      variables.textContent = "";
      hooks.highlight(null);
      sessionId = null;
      replay.hidden = true;
      incidentsShown = 0;
      await context.flushSave();
      if (context.errors().length > 0) {
        // The server would refuse to run an invalid flow; say so without asking it.
        fail(texts("console.invalid"));
        return;
      }
      const result = await bridge.startSimulation(session.version);
      if (result.ok) {
        show(result.value);
      } else {
        fail(problemText(result.problem));
      }
    } finally {
      busy = false;
    }
  }

  mic?.addEventListener("click", () => void toggleRecording());
  start.addEventListener("click", () => void begin());
  reset.addEventListener("click", () => void begin());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!sessionId || busy || recording || text === "") {
      return;
    }
    busy = true;
    input.value = "";
    line("caller", text);
    try {
      const result = await bridge.simulationTurn(sessionId, text);
      if (result.ok) {
        show(result.value);
      } else {
        fail(problemText(result.problem));
      }
    } finally {
      busy = false;
    }
  });

  container.replaceChildren(
    h("h2", { class: "va-panel-title" }, texts("console.title")),
    h(
      "div",
      { class: "va-console-actions" },
      start,
      reset,
      replay,
      h(
        "a",
        { class: "btn btn-sm btn-link", href: context.config.calendarUrl, target: "_blank", rel: "noopener" },
        texts("console.calendar"),
      ),
    ),
    status,
    transcript,
    form,
    micStatus,
    h("details", { class: "va-console-details", open: true }, h("summary", null, texts("console.trace")), trace),
    h("details", { class: "va-console-details" }, h("summary", null, texts("console.variables")), variables),
  );
}
