import { encodeWav } from "./encode-wav";

/** A running microphone recording. */
export interface AudioRecording {
  /** How the samples are captured: the AudioWorklet, or the ScriptProcessorNode fallback. */
  readonly capture: "worklet" | "script-processor";
  /** Stops and returns what was recorded as a 16-bit PCM mono WAV. */
  stop(): Promise<Blob>;
  /** Stops and throws the audio away (leaving the page, resetting the test). */
  cancel(): void;
}

/** How long the worklet may take to hand over its last batch after "flush". */
const flushTimeoutMs = 500;

/**
 * Starts recording the microphone: getUserMedia, then the AudioWorklet processor from `workletUrl` (recorder-worklet.ts,
 * a file of the designer's assets) or, where AudioWorklet is missing or the module does not load, a ScriptProcessorNode.
 * Call it from a click: the audio context is created before anything is awaited, while the click still counts.
 * Rejects with getUserMedia's DOMException (NotAllowedError when the browser or the user refuses, NotFoundError without
 * a microphone …) or a TypeError where the page cannot record at all (no secure context, old browser).
 */
export async function startRecording(workletUrl: string, onCaptured?: (seconds: number) => void): Promise<AudioRecording> {
  if (!navigator.mediaDevices?.getUserMedia || typeof AudioContext !== "function") {
    throw new TypeError("This browser cannot record audio here.");
  }
  const context = new AudioContext();
  let stream: MediaStream | null = null;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    if (context.state === "suspended") {
      await context.resume();
    }
    const source = context.createMediaStreamSource(stream);
    const chunks: Float32Array[] = [];
    let samples = 0;
    // Reports how much audio has arrived, so a caller (and a browser test) can go by the recording, not by a clock.
    const add = (chunk: Float32Array) => {
      chunks.push(chunk);
      samples += chunk.length;
      onCaptured?.(samples / context.sampleRate);
    };
    const worklet = await tryWorklet(context, source, workletUrl, add);
    const detach = worklet ?? scriptProcessor(context, source, add);
    const tracks = stream.getTracks();
    let finished = false;

    const release = () => {
      finished = true;
      source.disconnect();
      for (const track of tracks) {
        track.stop();
      }
      void context.close().catch(() => undefined);
    };

    return {
      capture: worklet ? "worklet" : "script-processor",
      async stop() {
        if (!finished) {
          await detach();
          release();
        }
        return encodeWav(chunks, context.sampleRate);
      },
      cancel() {
        if (!finished) {
          void detach();
          release();
        }
      },
    };
  } catch (error) {
    for (const track of stream?.getTracks() ?? []) {
      track.stop();
    }
    void context.close().catch(() => undefined);
    throw error;
  }
}

/** Connects the worklet recorder; null when AudioWorklet is unavailable or its module does not load. */
async function tryWorklet(
  context: AudioContext,
  source: MediaStreamAudioSourceNode,
  url: string,
  add: (chunk: Float32Array) => void,
): Promise<(() => Promise<void>) | null> {
  if (!context.audioWorklet || typeof AudioWorkletNode !== "function") {
    return null;
  }
  let node: AudioWorkletNode;
  try {
    await context.audioWorklet.addModule(url);
    // No outputs: the node is pulled by the graph without being connected to the speakers (no echo).
    node = new AudioWorkletNode(context, "va-recorder", { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: "explicit" });
  } catch {
    return null;
  }
  let flushed: (() => void) | null = null;
  node.port.onmessage = (event: MessageEvent) => {
    if (event.data instanceof Float32Array) {
      add(event.data);
    } else if (event.data === "flushed") {
      flushed?.();
    }
  };
  source.connect(node);
  return async () => {
    await new Promise<void>((resolve) => {
      flushed = resolve;
      setTimeout(resolve, flushTimeoutMs);
      node.port.postMessage("flush");
    });
    node.port.onmessage = null;
    node.disconnect();
  };
}

/** The fallback: a ScriptProcessorNode (deprecated, but everywhere); it must reach the destination to run, silently. */
function scriptProcessor(context: AudioContext, source: MediaStreamAudioSourceNode, add: (chunk: Float32Array) => void): () => Promise<void> {
  const node = context.createScriptProcessor(4096, 1, 1);
  node.onaudioprocess = (event) => {
    add(new Float32Array(event.inputBuffer.getChannelData(0)));
    event.outputBuffer.getChannelData(0).fill(0);
  };
  source.connect(node);
  node.connect(context.destination);
  return async () => {
    node.onaudioprocess = null;
    node.disconnect();
  };
}
