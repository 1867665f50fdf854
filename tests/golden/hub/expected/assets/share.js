// Sharing, enhanced: "Copy link" where the clipboard can be written, and Mastodon on the reader's
// own server (asked once, remembered in this browser). Without JavaScript the links work as they are.
(function () {
  "use strict";
  // the theme's words in the page's language, from the script tag (the site's i18n catalogues)
  var words = JSON.parse((document.currentScript && document.currentScript.dataset.strings) || "{}");
  var copy = document.querySelector(".share__copy");
  if (copy && navigator.clipboard && window.isSecureContext) {
    var button = copy.querySelector("button");
    var status = copy.querySelector(".share__status");
    copy.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.url).then(function () {
        status.textContent = words["share.copied"];
      }, function () {
        status.textContent = words["share.copy_failed"];
      });
    });
  }
  var mastodon = document.querySelector("a[data-share-mastodon]");
  if (!mastodon) return;
  mastodon.addEventListener("click", function (event) {
    var saved = "";
    try { saved = localStorage.getItem("blogkit-mastodon-server") || ""; } catch (_) {}
    var server = window.prompt(words["share.mastodon_server"], saved);
    server = (server || "").trim().replace(/^https?:\/\//i, "").replace(/\/.*$/, "");
    if (!/^[a-z0-9.-]+\.[a-z]{2,}(:[0-9]+)?$/i.test(server)) {
      event.preventDefault();
      return;
    }
    try { localStorage.setItem("blogkit-mastodon-server", server); } catch (_) {}
    mastodon.href = "https://" + server + "/share?text=" + encodeURIComponent(mastodon.dataset.text);
  });
})();
