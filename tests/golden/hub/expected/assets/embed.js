// Loads the comment embed (giscus or utterances) when the reader scrolls near it, so a page makes
// no third-party request before then. The plain link above it works without JavaScript.
// With the embed's default theme (the system's light or dark), the embed follows the page's theme
// switch instead: the reader's choice when the embed loads, and every switch after.
(function () {
  "use strict";
  var box = document.querySelector("[data-embed-src]");
  if (!box) return;
  var root = document.documentElement;
  var embeds = {
    giscus: { follow: "preferred_color_scheme", light: "light", dark: "dark", frame: "iframe.giscus-frame", origin: "https://giscus.app",
      message: function (theme) { return { giscus: { setConfig: { theme: theme } } }; } },
    utterances: { follow: "preferred-color-scheme", light: "github-light", dark: "github-dark", frame: "iframe.utterances-frame",
      origin: "https://utteranc.es", message: function (theme) { return { type: "set-theme", theme: theme }; } }
  };
  var embed = embeds[box.className.replace(/.*discussion__embed--(\w+).*/, "$1")];
  var follows = embed && box.getAttribute("data-theme") === embed.follow;
  function theme(mode) {
    return mode ? embed[mode] : embed.follow;  // no choice made on this page: the system's, as the embed reads it
  }
  function load() {
    var script = document.createElement("script");
    Array.prototype.forEach.call(box.attributes, function (attribute) {
      if (attribute.name.indexOf("data-") === 0 && attribute.name !== "data-embed-src") {
        script.setAttribute(attribute.name, attribute.value);
      }
    });
    if (follows) script.setAttribute("data-theme", theme(root.dataset.theme));
    script.src = box.getAttribute("data-embed-src");
    script.crossOrigin = "anonymous";
    script.async = true;
    box.appendChild(script);
  }
  if (follows) {
    document.addEventListener("blogkit:theme", function (event) {
      var frame = box.querySelector(embed.frame);
      if (frame && frame.contentWindow) frame.contentWindow.postMessage(embed.message(theme(event.detail)), embed.origin);
    });
  }
  if (!("IntersectionObserver" in window)) { load(); return; }
  var observer = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) {
      observer.disconnect();
      load();
    }
  }, { rootMargin: "600px 0px" });
  observer.observe(box);
})();
