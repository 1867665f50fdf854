// Diagrams: each ```mermaid block of a post, drawn by Mermaid (shipped with the theme, loaded
// only by pages that have one, in the pieces each kind of diagram needs). Mermaid runs with its
// strict security level: a diagram's text cannot carry HTML, scripts or click handlers. Without
// scripts, or if drawing fails, the diagram's source stays as it is written. When the reader
// switches between light and dark (theme.js), the diagrams are drawn again in the new theme.
import mermaid from "./mermaid/mermaid.esm.min.mjs";

const root = document.documentElement;
const blocks = Array.from(document.querySelectorAll("pre.mermaid"));
blocks.forEach((block) => { block.dataset.source = block.textContent; });

function dark() {
  return root.dataset.theme ? root.dataset.theme === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
}

function draw() {
  blocks.forEach((block) => {
    block.removeAttribute("data-processed");
    block.textContent = block.dataset.source;
  });
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark() ? "dark" : "default" });
  return mermaid.run({ nodes: blocks, suppressErrors: true });
}

draw();
document.addEventListener("blogkit:theme", draw);
