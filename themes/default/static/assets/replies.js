// Reply counts beside discussion links ("3 replies"): a progressive enhancement, included only when
// the site sets discussion.reply_counts. Public APIs, no cookies; on any failure nothing is shown.
(function () {
  "use strict";
  if (!window.fetch) return;
  // the theme's words in the page's language, from the script tag (the site's i18n catalogues)
  var words = JSON.parse((document.currentScript && document.currentScript.dataset.strings) || "{}");
  var lang = document.documentElement.lang || undefined;
  var plural = new Intl.PluralRules(lang);
  function replies(count) {
    var forms = words["discussion.reply_count"] || {};
    return (forms[plural.select(count)] || forms.other || "").replace("{count}", count.toLocaleString(lang));
  }
  var readers = {
    github: function (data) { return data.comments; },
    mastodon: function (data) { return data.descendants && data.descendants.length; },
    "hacker-news": function (data) { return data.descendants; },
    discourse: function (data) { return data.posts_count - 1; }
  };
  document.querySelectorAll("[data-replies-api]").forEach(function (slot) {
    var read = readers[slot.getAttribute("data-replies-kind")];
    if (!read) return;
    fetch(slot.getAttribute("data-replies-api"), { credentials: "omit", referrerPolicy: "no-referrer" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var count = data ? read(data) : null;
        if (typeof count === "number" && isFinite(count) && count >= 0) {
          slot.textContent = replies(count);
        }
      })
      .catch(function () {});
  });
})();
