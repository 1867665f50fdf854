// Diagrams: each ```mermaid block of a post, drawn by Mermaid (shipped with the theme, loaded
// only by pages that have one, in the pieces each kind of diagram needs). Mermaid runs with its
// strict security level: a diagram's text cannot carry HTML, scripts or click handlers. Without
// scripts, or if drawing fails, the diagram's source stays as it is written.
import mermaid from "./mermaid/mermaid.esm.min.mjs";

const root = document.documentElement;
const dark = root.dataset.theme ? root.dataset.theme === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
mermaid.run({ querySelector: "pre.mermaid", suppressErrors: true });
