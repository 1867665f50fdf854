// "/" anywhere outside a text field opens the search page, or moves to its box when already there.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("search-input");
    var link = document.querySelector("a[data-search-link]");
    if (!box && !link) return;
    event.preventDefault();
    if (box) {
      box.focus();
      box.select();
    } else {
      location.href = link.href;
    }
  });
})();
