// A "Copy" button on code blocks: a progressive enhancement; the code is readable without it.
(function () {
  "use strict";
  // the theme's words in the page's language, from the script tag (the site's i18n catalogues)
  var words = JSON.parse((document.currentScript && document.currentScript.dataset.strings) || "{}");
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("pre.highlight").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = words["code.copy"];
    button.setAttribute("aria-label", words["code.copy_label"]);
    button.addEventListener("click", function () {
      var code = pre.querySelector("code");
      navigator.clipboard.writeText((code || pre).innerText).then(function () {
        button.textContent = words["code.copied"];
        setTimeout(function () { button.textContent = words["code.copy"]; }, 1600);
      }, function () {
        button.textContent = words["code.copy_failed"];
      });
    });
    var wrapper = document.createElement("div");
    wrapper.className = "code-block";
    pre.parentNode.insertBefore(wrapper, pre);
    wrapper.appendChild(pre);
    wrapper.appendChild(button);
  });
})();
