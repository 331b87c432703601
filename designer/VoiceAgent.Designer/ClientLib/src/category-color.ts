const colors: Record<string, string> = {
  Ablauf: "#2fb344",
  Dialog: "#206bc4",
  Logik: "#ae3ec9",
  Kalender: "#f76707",
  Telefonie: "#0ca678",
  Integration: "#667382",
};

/** The stripe colour of an activity category (unknown categories get grey). */
export function categoryColor(category: string | undefined): string {
  return (category && colors[category]) || "#868e96";
}
