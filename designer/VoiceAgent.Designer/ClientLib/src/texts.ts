import type { Language } from "./contract";

// The canvas module's own texts (search box, notes, clipboard); everything around the canvas is Blazor's and comes from
// the resource files. Activity names and descriptions come from the server's descriptors. German first.
const de = {
  "clipboard.copied": "{0} Bausteine kopiert.",
  "clipboard.empty": "Die Zwischenablage ist leer.",
  "note.placeholder": "Leere Notiz – doppelklicken zum Schreiben",
  "note.tooMany": "Ein Ablauf kann höchstens {0} Notizen haben.",
  "search.count": "{0} von {1}",
  "search.label": "Im Ablauf suchen (Strg+F)",
  "search.none": "Nichts gefunden",
  "search.placeholder": "Suchen …",
} as const;

export type TextKey = keyof typeof de;

const en: Record<TextKey, string> = {
  "clipboard.copied": "{0} activities copied.",
  "clipboard.empty": "The clipboard is empty.",
  "note.placeholder": "Empty note – double-click to write",
  "note.tooMany": "A flow can have at most {0} notes.",
  "search.count": "{0} of {1}",
  "search.label": "Search the flow (Ctrl+F)",
  "search.none": "No match",
  "search.placeholder": "Search …",
};

export type Texts = (key: TextKey, ...args: (string | number)[]) => string;

/** The text lookup for the page language; {0}, {1} … are replaced by the arguments. */
export function createTexts(language: Language): Texts {
  const table: Record<TextKey, string> = language === "en" ? en : de;
  return (key, ...args) => (table[key] ?? key).replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)] ?? ""));
}
