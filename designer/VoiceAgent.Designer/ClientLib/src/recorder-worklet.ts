// The microphone recorder's AudioWorklet processor: bundled on its own to ../wwwroot/recorder-worklet.js (build.mjs) and
// loaded by record-audio.ts with audioWorklet.addModule — a file from the designer's assets, no inline code, no eval.
// It runs in the audio rendering thread and passes the (mono) input on in batches; "flush" sends the rest and answers
// "flushed", so the recording ends with everything that was captured.

// The AudioWorklet global scope is not part of the DOM library; declare the two names this processor uses.
declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;

/** Samples per message (about 85 ms at 48 kHz): few enough messages, little lost if the page goes away. */
const batchSize = 4096;

class RecorderProcessor extends AudioWorkletProcessor {
  private batch = new Float32Array(batchSize);
  private filled = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent) => {
      if (event.data === "flush") {
        this.send();
        this.port.postMessage("flushed");
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const samples = inputs[0]?.[0];
    if (samples) {
      let offset = 0;
      while (offset < samples.length) {
        const count = Math.min(samples.length - offset, batchSize - this.filled);
        this.batch.set(samples.subarray(offset, offset + count), this.filled);
        this.filled += count;
        offset += count;
        if (this.filled === batchSize) {
          this.send();
        }
      }
    }
    return true;
  }

  private send(): void {
    if (this.filled > 0) {
      const chunk = this.batch.slice(0, this.filled);
      this.port.postMessage(chunk, [chunk.buffer]);
      this.filled = 0;
    }
  }
}

registerProcessor("va-recorder", RecorderProcessor);

export {};
