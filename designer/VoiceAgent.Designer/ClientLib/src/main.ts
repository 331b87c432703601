import "./designer.css";
import { startDesigner } from "./start-designer";

// Entry point of /_content/VoiceAgent.Designer/designer.js (a module script, so the DOM is parsed when it runs).
const root = document.querySelector<HTMLElement>("[data-va-designer]");
if (root) {
  void startDesigner(root);
}
