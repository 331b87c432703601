/** What the browser sends: 16 kHz is plenty for speech (the server narrows it to 8 kHz) and keeps 15 s near 480 KB. */
const targetRate = 16_000;

/**
 * Encodes recorded float samples (-1…1, mono) as a RIFF/WAVE file with 16-bit PCM, mono. Rates above 16 kHz are
 * reduced to 16 kHz by averaging each output period (a box filter: enough against aliasing for speech, since the server
 * resamples to 8 kHz with a proper low-pass afterwards); lower rates are kept.
 */
export function encodeWav(chunks: readonly Float32Array[], sampleRate: number): Blob {
  const total = chunks.reduce((sum, c) => sum + c.length, 0);
  const input = new Float32Array(total);
  let at = 0;
  for (const chunk of chunks) {
    input.set(chunk, at);
    at += chunk.length;
  }

  const rate = sampleRate > targetRate ? targetRate : Math.round(sampleRate);
  const step = sampleRate / rate;
  const count = Math.floor(total / step);
  const buffer = new ArrayBuffer(44 + count * 2);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) {
      view.setUint8(offset + i, text.charCodeAt(i));
    }
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + count * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, count * 2, true);

  for (let i = 0; i < count; i++) {
    const from = Math.floor(i * step);
    const to = Math.max(from + 1, Math.min(total, Math.floor((i + 1) * step)));
    let sum = 0;
    for (let j = from; j < to; j++) {
      sum += input[j]!;
    }
    const value = Math.max(-1, Math.min(1, sum / (to - from)));
    view.setInt16(44 + i * 2, value < 0 ? value * 0x8000 : value * 0x7fff, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}
