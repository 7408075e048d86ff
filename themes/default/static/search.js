/* dealwire: search with the site's Pagefind bundle. No other dependency.

   Two forms use it, both hidden until this script shows them:
   - #dw-find, the box in every page's header: results appear under it as
     the reader types (no page load); Escape closes them; "All results"
     opens the search page with the query.
   - #dw-search, the search page: articles or deals, the deals' filters
     (party, year, kind, precision) and orders (amount, date). Its state
     lives in the query string (?q=&type=&party=&year=&kind=&precision=&sort=)
     so a search can be shared and the header box can hand over to it.
   Without JavaScript the header shows a link to the search page, which says
   that search needs JavaScript.

   The bundle is loaded on first use from the form's data-bundle (its folder
   is versioned; pagefind.js finds its files beside it). Results are built
   with DOM methods; Pagefind's excerpts are parsed inertly and only their
   text and <mark> elements are kept. */
(function () {
  "use strict";

  var PAGE = 10;
  var loading = null;

  function load(form) {
    if (!loading) {
      var bundle = form.getAttribute("data-bundle");
      var base = form.getAttribute("data-base") || "/";
      loading = import(bundle + "pagefind.js").then(function (pf) {
        return pf.options({ baseUrl: base, excerptLength: 24 }).then(function () {
          return pf.init();
        }).then(function () { return pf; });
      });
      loading.catch(function () { loading = null; });
    }
    return loading;
  }

  function words(form, key, fill) {
    var text = form.getAttribute("data-" + key) || "";
    Object.keys(fill || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(fill[k]);
    });
    return text;
  }

  function counted(form, n) {
    return n === 1 ? words(form, "one") : words(form, "many", { n: String(n) });
  }

  /* An excerpt's text with its <mark>s, nothing else. */
  function excerpt(html) {
    var out = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<body>" + (html || ""), "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === 3) {
        out.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else if (node.nodeType === 1) {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function item(data, full, cancelledWord) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = data.url;
    a.textContent = (data.meta && data.meta.title) || data.url;
    var title = document.createElement(full ? "h2" : "span");
    title.className = "result-title";
    var meta = data.meta || {};
    // A cancelled deal is struck through and said so, as in the deals tables.
    var cancelled = meta.status === "cancelled";
    if (cancelled) {
      var del = document.createElement("del");
      del.appendChild(a);
      title.appendChild(del);
    } else {
      title.appendChild(a);
    }
    li.appendChild(title);
    // An article's lead image, small and lazy, with its size so nothing shifts.
    if (full && meta.image) {
      var img = document.createElement("img");
      img.className = "result-image";
      img.src = meta.image;
      img.alt = meta.image_alt || "";
      var size = (meta.image_size || "").split("x");
      if (size.length === 2) { img.width = +size[0]; img.height = +size[1]; }
      img.loading = "lazy";
      img.decoding = "async";
      li.appendChild(img);
    }
    var line = [meta.date, cancelled ? cancelledWord || meta.status : "",
      meta.article && meta.article !== meta.title ? meta.article : ""]
      .filter(Boolean).join(" · ");
    if (line) {
      var p = document.createElement("p");
      p.className = "meta";
      p.textContent = line;
      li.appendChild(p);
    }
    if (full && data.excerpt) {
      var ex = document.createElement("p");
      ex.className = "excerpt";
      ex.appendChild(excerpt(data.excerpt));
      li.appendChild(ex);
    }
    return li;
  }

  /* ---- The header box ---- */
  function headerBox() {
    var form = document.getElementById("dw-find");
    var link = document.getElementById("dw-find-link");
    if (!form || !link || !("noModule" in HTMLScriptElement.prototype)) return;
    var input = document.getElementById("dw-find-q");
    var pop = document.getElementById("dw-find-pop");
    var list = document.getElementById("dw-find-results");
    var status = document.getElementById("dw-find-status");
    var all = document.getElementById("dw-find-all");
    var page = form.getAttribute("action");
    link.hidden = true;
    form.hidden = false;
    var asked = 0;

    function close() {
      pop.hidden = true;
    }

    input.addEventListener("focus", function () { load(form); });
    input.addEventListener("input", function () {
      var q = input.value.trim();
      var ask = ++asked;
      if (!q) {
        list.replaceChildren();
        status.textContent = "";
        close();
        return;
      }
      load(form).then(function (pf) {
        return pf.debouncedSearch(q, { filters: { type: "article" } }, 150).then(function (search) {
          if (!search || ask !== asked) return null;
          return Promise.all(search.results.slice(0, 5).map(function (r) { return r.data(); }))
            .then(function (items) { return { count: search.results.length, items: items }; });
        });
      }).then(function (found) {
        if (!found || ask !== asked) return;
        list.replaceChildren.apply(list, found.items.map(function (d) { return item(d, false, words(form, "cancelled")); }));
        // Which query the shown results answer: typing runs several.
        list.setAttribute("data-for", q);
        status.textContent = found.count ? counted(form, found.count) : words(form, "none", { q: q });
        all.href = page + "?q=" + encodeURIComponent(q);
        all.textContent = words(form, "all", { q: q });
        pop.hidden = false;
      }, function () {
        if (ask !== asked) return;
        status.textContent = words(form, "failed");
      });
    });
    form.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !pop.hidden) {
        close();
        input.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (!form.contains(e.target)) close();
    });
  }

  /* ---- The search page ---- */
  function searchPage() {
    var form = document.getElementById("dw-search");
    if (!form) return;
    var input = document.getElementById("dw-search-q");
    var list = document.getElementById("dw-search-results");
    var status = document.getElementById("dw-search-status");
    var more = document.getElementById("dw-search-more");
    var FILTERS = ["party", "year", "kind", "precision"];
    var selects = {};
    FILTERS.forEach(function (f) { selects[f] = document.getElementById("dw-search-" + f); });
    var sortSelect = document.getElementById("dw-search-sort");
    var asked = 0;
    var results = [];
    var shown = 0;
    var filled = false;
    var wanted = {};

    form.hidden = false;
    // A reader who opens the search page is about to search: the bundle
    // loads now, while they type. `data-ready` says when it has.
    load(form).then(function () { form.setAttribute("data-ready", ""); }, function () {});

    function type() {
      var checked = form.querySelector("input[name=type]:checked");
      return checked ? checked.value : "article";
    }

    function showType() {
      var deals = type() === "deal";
      form.querySelectorAll(".deal-only").forEach(function (el) {
        el.hidden = !deals;
        if (el.tagName === "OPTION") el.disabled = !deals;
      });
      if (!deals && sortSelect.value === "amount") sortSelect.value = "";
    }

    function precisionName(v) {
      return words(form, v.replace("_", "-")) || v;
    }

    /* The deals' filter values, with their counts, from the index. */
    function fillFilters(pf) {
      if (filled) return Promise.resolve();
      return pf.filters().then(function (all) {
        filled = true;
        FILTERS.forEach(function (f) {
          var values = Object.keys(all[f] || {});
          if (f === "year") values.sort().reverse();
          else values.sort(function (a, b) { return a.localeCompare(b, document.documentElement.lang); });
          var chosen = selects[f].value || wanted[f] || "";
          values.forEach(function (v) {
            var o = document.createElement("option");
            o.value = v;
            o.textContent = f === "precision" ? precisionName(v) : v;
            selects[f].appendChild(o);
          });
          selects[f].value = values.indexOf(chosen) >= 0 ? chosen : "";
        });
      });
    }

    /* Until the filters' options have arrived, the values the address asked
       for stand: a shared search keeps every filter. */
    function state() {
      var s = { q: input.value.trim(), type: type(), sort: sortSelect.value };
      if (s.type === "deal") FILTERS.forEach(function (f) { s[f] = filled ? selects[f].value : (wanted[f] || ""); });
      return s;
    }

    /* A state as the query of an address. */
    function queryOf(s) {
      var params = new URLSearchParams();
      Object.keys(s).forEach(function (k) {
        if (s[k] && !(k === "type" && s[k] === "article")) params.set(k, s[k]);
      });
      return params.toString();
    }

    function keepInUrl(s) {
      var query = queryOf(s);
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }

    /* The next page of results, each shown as soon as it and those before
       it have arrived: the first result does not wait for the tenth. */
    function showMore() {
      var ask = asked;
      var next = results.slice(shown, shown + PAGE);
      shown += next.length;
      more.hidden = shown >= results.length;
      var shownSoFar = Promise.resolve();
      next.forEach(function (r) {
        var data = r.data();
        shownSoFar = shownSoFar.then(function () { return data; }).then(function (d) {
          if (ask === asked) list.appendChild(item(d, true, words(form, "cancelled")));
        });
      });
      return shownSoFar;
    }

    function run() {
      var s = state();
      keepInUrl(s);
      var ask = ++asked;
      var filters = { type: s.type };
      FILTERS.forEach(function (f) { if (s[f]) filters[f] = s[f]; });
      var sort = s.sort === "amount" ? { amount: "desc" }
        : s.sort === "newest" ? { date: "desc" }
        : s.sort === "oldest" ? { date: "asc" } : undefined;
      var browsing = !s.q && s.type === "deal";
      if (!s.q && !browsing) {
        list.replaceChildren();
        status.textContent = "";
        more.hidden = true;
        return Promise.resolve();
      }
      status.textContent = words(form, "loading");
      return load(form).then(function (pf) {
        // The deals' filters are read only for deals: an article search
        // fetches no filter data.
        return (s.type === "deal" ? fillFilters(pf) : Promise.resolve()).then(function () {
          var options = { filters: filters };
          if (sort) options.sort = sort;
          return pf.search(s.q || null, options);
        });
      }).then(function (search) {
        if (ask !== asked || !search) return;
        results = search.results;
        shown = 0;
        list.replaceChildren();
        // Which search the shown results answer: typing and each filter
        // run one, and an older one's results may still be on screen.
        list.setAttribute("data-for", queryOf(s));
        status.textContent = results.length ? counted(form, results.length) : words(form, "none", { q: s.q });
        return showMore();
      }, function () {
        if (ask !== asked) return;
        status.textContent = words(form, "failed");
      });
    }

    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (f) { wanted[f] = params.get(f) || ""; });
    input.value = params.get("q") || "";
    var typeWanted = params.get("type") === "deal" ? "deal" : "article";
    form.querySelectorAll("input[name=type]").forEach(function (r) { r.checked = r.value === typeWanted; });
    if (params.get("sort")) sortSelect.value = params.get("sort");
    showType();

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 100);
    });
    form.addEventListener("change", function (e) {
      if (e.target.name === "type") showType();
      if (e.target !== input) run();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      run();
    });
    more.addEventListener("click", function () {
      var first = list.children.length;
      showMore().then(function () {
        var link = list.children[first] && list.children[first].querySelector("a");
        if (link) link.focus();
      });
    });
    if (input.value || typeWanted === "deal") run();
  }

  function start() {
    headerBox();
    searchPage();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
