import type { Language, LocalizedText } from "./contract";

/** A descriptor text in the page language (English falls back to German when missing). */
export function localized(text: LocalizedText | null | undefined, language: Language): string {
  if (!text) {
    return "";
  }
  return language === "en" && text.en ? text.en : text.de;
}
