// The light/dark switch: it starts from the system's choice or the reader's last one (set on
// <html> by theme-early.js in <head>, before the page is drawn, so the wrong theme never flashes), and
// remembers the reader's choice in this browser.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".theme-switch");
  if (!button) return;
  var system = window.matchMedia("(prefers-color-scheme: dark)");
  function dark() {
    return root.dataset.theme ? root.dataset.theme === "dark" : system.matches;
  }
  function show() {
    button.setAttribute("aria-pressed", dark() ? "true" : "false");
  }
  button.addEventListener("click", function () {
    var next = dark() ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("blogkit-theme", next); } catch (_) {}
    show();
    document.dispatchEvent(new CustomEvent("blogkit:theme", { detail: next }));  // for what draws in a theme (diagrams)
  });
  system.addEventListener("change", show);
  show();
})();
