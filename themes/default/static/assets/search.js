// The search page: full-text search over the site's Pagefind index, in the browser.
// Nothing is sent anywhere: the index is a set of static files of this site, loaded in
// chunks as words are looked up. Without JavaScript the page points to the archive instead.
(function () {
  "use strict";
  // the theme's words in the page's language, from the script tag (the site's i18n catalogues)
  var words = JSON.parse((document.currentScript && document.currentScript.dataset.strings) || "{}");
  var lang = document.documentElement.lang || undefined;
  var plural = new Intl.PluralRules(lang);
  function say(key, values) {
    var text = words[key] || "";
    if (typeof text === "object") text = text[plural.select(values.count)] || text.other || "";
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      var value = values[name];
      return value === undefined ? all : typeof value === "number" ? value.toLocaleString(lang) : value;
    });
  }
  var form = document.querySelector(".search__form");
  if (!form) return;
  var input = document.getElementById("search-input");
  var status = document.querySelector(".search__status");
  var list = document.querySelector(".search__results");
  var filterBox = form.querySelector(".search__filters");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var PAGE = 10;
  var pagefind = null;
  var merged = false; // the index came in parts
  var RERANKED = 30;
  var sequence = 0;
  var results = [];
  var shown = 0;
  var more = document.createElement("button");
  more.type = "button";
  more.className = "search__more";
  more.textContent = say("search.more", {});
  more.hidden = true;
  list.after(more);

  form.hidden = false;
  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";

  function chosen() {
    var filters = {};
    selects.forEach(function (select) {
      if (select.value) filters[select.dataset.filter] = select.value;
    });
    return filters;
  }

  function remember(query, filters) {
    var next = new URLSearchParams();
    if (query) next.set("q", query);
    Object.keys(filters).forEach(function (name) { next.set(name, filters[name]); });
    var search = next.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
  }

  function text(tag, className, value) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (value) element.textContent = value;
    return element;
  }

  // Pagefind's excerpt is escaped text with <mark> around the words found: only those two are kept.
  function excerpt(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
    var paragraph = text("p", "search-result__excerpt");
    parsed.childNodes.forEach(function (node) {
      paragraph.append(node.nodeName === "MARK" ? text("mark", "", node.textContent) : node.textContent);
    });
    return paragraph;
  }

  function item(data) {
    var li = text("li", "search-result");
    var heading = text("h2", "search-result__title");
    var link = text("a", "", data.meta.title || data.url);
    link.href = data.url;
    heading.append(link);
    li.append(heading);
    var meta = text("p", "search-result__meta");
    if (data.meta.date) {
      var time = text("time", "", data.meta.day || data.meta.date);  // as the site writes dates, in its language
      time.dateTime = data.meta.date;
      meta.append(time);
    }
    if (data.meta.authors) meta.append(text("span", "", data.meta.authors));
    if (meta.childNodes.length) li.append(meta);
    li.append(excerpt(data.excerpt));
    return li;
  }

  function showMore(mine) {
    var next = results.slice(shown, shown + PAGE);
    return Promise.all(next.map(function (r) { return r.data(); })).then(function (found) {
      if (mine !== sequence) return;
      var first = shown === 0 ? null : found.length ? item(found[0]) : null;
      found.forEach(function (data, i) { list.append(i === 0 && first ? first : item(data)); });
      shown += found.length;
      more.hidden = shown >= results.length;
      if (first) first.querySelector("a").focus();
    });
  }

  function run() {
    var query = input.value.trim();
    var filters = chosen();
    remember(query, filters);
    var mine = ++sequence;
    if (!pagefind) return;
    if (!query && !Object.keys(filters).length) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    pagefind.debouncedSearch(query || null, { filters: filters }, 120).then(function (search) {
      if (search === null || mine !== sequence) return;
      return merged && query ? exactFirst(search.results, query) : search.results;
    }).then(function (found) {
      if (!found || mine !== sequence) return;
      results = found;
      shown = 0;
      list.replaceChildren();
      var count = results.length;
      var values = { count: count, query: query };
      status.textContent = say(count === 0 ? (query ? "search.none_for" : "search.none") : query ? "search.found_for" : "search.found", values);
      return showMore(mine);
    });
  }

  // Each part of a merged index ranks on its own, so a near match in one part can outrank the
  // exact word in another: among the first results, those holding every word typed come first.
  function exactFirst(found, query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var head = found.slice(0, RERANKED);
    return Promise.all(head.map(function (r) { return r.data(); })).then(function (datas) {
      var exact = [];
      var near = [];
      head.forEach(function (result, i) {
        var text = ((datas[i].meta && datas[i].meta.title) || "") + " " + datas[i].content;
        text = text.toLowerCase();
        (words.every(function (word) { return text.indexOf(word) !== -1; }) ? exact : near).push(result);
      });
      return exact.concat(near, found.slice(RERANKED));
    });
  }

  function fill(filters) {
    selects.forEach(function (select) {
      var counts = filters[select.dataset.filter] || {};
      var wanted = params.get(select.dataset.filter) || "";
      Object.keys(counts).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (name) {
        var option = text("option", "", name + " (" + counts[name] + ")");
        option.value = name;
        option.selected = name === wanted;
        select.append(option);
      });
      select.closest(".search__filter").hidden = Object.keys(counts).length === 0;
    });
    filterBox.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", run);
  selects.forEach(function (select) { select.addEventListener("change", run); });
  more.addEventListener("click", function () { showMore(sequence); });
  if (!params.has("q") || document.activeElement === document.body) input.focus();

  // A large site's index comes in parts (blogkit-parts.json lists the others): one search covers them all.
  import(form.dataset.index + "pagefind.js")
    .then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: form.dataset.base });
    })
    .then(function () { return fetch(form.dataset.index + "blogkit-parts.json"); })
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (others) {
      merged = others.length > 0;
      return Promise.all(others.map(function (part) { return pagefind.mergeIndex(form.dataset.index + part, { baseUrl: form.dataset.base }); }));
    })
    .then(function () { return pagefind.filters(); })
    .then(function (filters) {
      fill(filters);
      run();
    })
    .catch(function () {
      pagefind = null;
      status.textContent = say("search.unavailable", {});
    });
})();
