import type { DesignerConfig } from "./contract";

/** The page's configuration from the designer root's data-* attributes (no inline script; see FlowEditor.razor). */
export function readConfig(root: HTMLElement): DesignerConfig {
  const d = root.dataset;
  const fromUrl = Number(new URLSearchParams(location.search).get("version"));
  const fromPage = Number(d.version);
  return {
    flowId: d.flowId ?? "",
    flowName: d.flowName ?? "",
    language: d.language === "en" ? "en" : "de",
    version: Number.isInteger(fromUrl) && fromUrl > 0 ? fromUrl : Number.isInteger(fromPage) && fromPage > 0 ? fromPage : null,
    antiforgeryToken: d.antiforgeryToken ?? "",
    antiforgeryHeader: d.antiforgeryHeader || "RequestVerificationToken",
    canPublish: d.canPublish === "true",
    backUrl: d.backUrl ?? "/app",
    calendarUrl: d.calendarUrl ?? "/app/calendar",
    recorderUrl: d.recorderUrl ?? "/_content/VoiceAgent.Designer/recorder-worklet.js",
  };
}
