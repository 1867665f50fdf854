// Loads the comment embed (giscus or utterances) when the reader scrolls near it, so a page makes
// no third-party request before then. The plain link above it works without JavaScript.
(function () {
  "use strict";
  var box = document.querySelector("[data-embed-src]");
  if (!box) return;
  function load() {
    var script = document.createElement("script");
    Array.prototype.forEach.call(box.attributes, function (attribute) {
      if (attribute.name.indexOf("data-") === 0 && attribute.name !== "data-embed-src") {
        script.setAttribute(attribute.name, attribute.value);
      }
    });
    script.src = box.getAttribute("data-embed-src");
    script.crossOrigin = "anonymous";
    script.async = true;
    box.appendChild(script);
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
