/* dealwire: filters and sorting for the deals index. No dependencies.
   Works on the markup of deals.html; without this script the page is a plain
   table of the latest deals, and every deal is on its year's page. State
   lives in the query string: ?q=&party=&year=&kind=&sort=&dir=

   Where the table has data-shards (the URL of deals-data/index.json), a view
   other than the default one reads every deal of its scope from one compact
   shard: a party's (all years) when a party is chosen, else a year's (the
   chosen one, or the newest). One interaction fetches one shard at most;
   shards are kept once fetched. Rows are built with DOM methods only. */
(function () {
  "use strict";

  var table = document.getElementById("dw-deals");
  if (!table || !table.tBodies || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var form = document.getElementById("dw-filters");
  var status = document.getElementById("dw-status");
  var lang = document.documentElement.lang || "en";
  var currency = table.getAttribute("data-currency") || "USD";

  var DEFAULT_SORT = "date";
  var DEFAULT_DIR = "desc";
  // Direction a column takes on its first click.
  var FIRST_DIR = { date: "desc", amount: "desc", parties: "asc", kind: "asc" };
  // A shard row's status number, as the server's `data-status`.
  var STATUSES = ["announced", "completed", "cancelled"];
  var FILTERS = ["q", "party", "year", "kind"];

  var collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });
  var money = null;
  var count = null;
  try {
    money = new Intl.NumberFormat(lang, {
      style: "currency", currency: currency, notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 2
    });
    count = new Intl.NumberFormat(lang);
  } catch (e) {
    money = null;
  }

  function fold(s) {
    s = String(s || "").toLocaleLowerCase(lang);
    return s.normalize ? s.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : s;
  }

  // One record per row, read once from its data attributes.
  function itemOf(tr, i) {
    var partiesText = tr.getAttribute("data-parties") || "";
    var links = tr.querySelectorAll(".parties a");
    var parties = links.length
      ? Array.prototype.map.call(links, function (a) { return a.textContent.trim(); })
      : partiesText.split(", ");
    var raw = (tr.getAttribute("data-value") || "").trim();
    var value = raw === "" ? null : Number(raw);
    if (value !== null && !isFinite(value)) value = null;
    var kind = tr.getAttribute("data-kind") || "";
    var title = tr.getAttribute("data-title") || "";
    return {
      tr: tr,
      index: i,
      date: tr.getAttribute("data-date") || "",
      year: tr.getAttribute("data-year") || "",
      kind: kind,
      parties: parties,
      partiesText: partiesText,
      value: value,
      cancelled: tr.getAttribute("data-status") === "cancelled",
      haystack: fold([partiesText, kind, title].join(" \u0000 "))
    };
  }
  var pageRows = Array.prototype.slice.call(tbody.rows);
  var pageItems = pageRows.map(itemOf);
  var items = pageItems;

  /* ---- Shards: the whole index, one party or one year at a time. ---- */
  var dataUrl = table.getAttribute("data-shards") || "";
  var index = null; // deals-data/index.json once read
  var shards = {}; // shard file -> items
  var scope = ""; // shard file of `items`, "" for the page's own rows
  var scopeYear = ""; // the year a no-filter view is limited to

  function fetchJson(url) {
    return window.fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }

  function loadIndex() {
    if (index) return Promise.resolve(index);
    return fetchJson(dataUrl).then(function (data) {
      index = data;
      return data;
    });
  }

  function cell(tr, className, lang) {
    var td = document.createElement("td");
    td.className = className;
    if (lang) td.setAttribute("lang", lang);
    tr.appendChild(td);
    return td;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.setAttribute("href", href);
    a.textContent = text;
    return a;
  }

  // A date as the server writes it, in the row's language.
  function showDate(iso, rowLang) {
    var names = index.months[rowLang] || index.months[index.lang] || [];
    var y = iso.slice(0, 4);
    var m = names[Number(iso.slice(5, 7)) - 1];
    var d = Number(iso.slice(8, 10));
    if (!m) return iso;
    if (rowLang === "fr") return (d === 1 ? "1er" : d) + " " + m + " " + y;
    return m + " " + d + ", " + y;
  }

  // The same row as the server's deals_table, from a shard row (see
  // src/render/deal_data.rs for its fields).
  function rowOf(d) {
    var tr = document.createElement("tr");
    var names = d[1].map(function (n) { return index.parties[n] || ["", ""]; });
    var kindText = d[2] ? index.kinds[d[2] - 1] || "" : "";
    var articleLang = d[9] || index.lang;
    tr.setAttribute("data-date", d[0]);
    tr.setAttribute("data-year", d[0].slice(0, 4));
    tr.setAttribute("data-kind", kindText);
    tr.setAttribute("data-parties", names.map(function (p) { return p[0]; }).join(", "));
    tr.setAttribute("data-value", d[5]);
    tr.setAttribute("data-title", d[7]);
    var rowLang = articleLang !== lang ? articleLang : "";
    if (rowLang) tr.setAttribute("lang", rowLang);
    var time = document.createElement("time");
    time.setAttribute("datetime", d[0]);
    time.textContent = showDate(d[0], articleLang);
    cell(tr, "date").appendChild(time);
    var parties = cell(tr, "parties");
    names.forEach(function (p, i) {
      if (i) parties.appendChild(document.createTextNode(", "));
      parties.appendChild(link(p[1], p[0]));
    });
    var kind = cell(tr, "kind");
    if (kindText) {
      kind.textContent = kindText;
    } else {
      var dash = document.createElement("span");
      dash.setAttribute("aria-hidden", "true");
      dash.textContent = "\u2014";
      var none = document.createElement("span");
      none.className = "visually-hidden";
      if (rowLang) none.setAttribute("lang", lang);
      none.textContent = template("data-none", "not specified");
      kind.appendChild(dash);
      kind.appendChild(none);
    }
    var amount = cell(tr, d[6] ? "amount undisclosed" : "amount");
    var figure = amount;
    if (d[10] === 2) {
      tr.className = "cancelled";
      figure = document.createElement("del");
      amount.appendChild(figure);
    }
    tr.setAttribute("data-status", STATUSES[d[10]] || STATUSES[0]);
    figure.appendChild(link(index.base + "deals/id/" + d[11] + "/", d[3]));
    if (d[4]) {
      figure.appendChild(document.createElement("br"));
      var rep = document.createElement("span");
      rep.className = "reporting";
      rep.textContent = d[4];
      figure.appendChild(rep);
    }
    if (d[10]) {
      amount.appendChild(document.createElement("br"));
      var label = document.createElement("span");
      label.className = "deal-status";
      if (rowLang) label.setAttribute("lang", lang);
      label.textContent = template("data-" + STATUSES[d[10]], STATUSES[d[10]]);
      amount.appendChild(label);
    }
    cell(tr, "source").appendChild(link(index.base + d[8], d[7]));
    return tr;
  }

  function isDefault() {
    return !state.q && !state.party && !state.year && !state.kind &&
      state.sort === DEFAULT_SORT && state.dir === DEFAULT_DIR;
  }

  // The shard a view needs: "" (the page's rows) for the default view.
  function wantedShard() {
    scopeYear = "";
    if (!dataUrl || isDefault()) return "";
    var i;
    if (state.party) {
      for (i = 0; i < index.parties.length; i++) {
        if (index.parties[i][0] === state.party) return index.party_shards[i][1];
      }
    }
    var years = index.years;
    for (i = 0; i < years.length; i++) {
      if (String(years[i][0]) === state.year) return years[i][2];
    }
    if (!years.length) return "";
    scopeYear = String(years[0][0]);
    return years[0][2];
  }

  // Makes `items` the view's scope; resolves false when a shard failed.
  function ensureScope() {
    if (!dataUrl || isDefault()) {
      scopeYear = "";
      return Promise.resolve(setScope("", pageItems));
    }
    return Promise.resolve().then(loadIndex).then(function () {
      var file = wantedShard();
      if (!file) return setScope("", pageItems);
      if (shards[file]) return setScope(file, shards[file]);
      if (status) status.textContent = template("data-loading", "Loading…");
      return fetchJson(new URL(file, new URL(dataUrl, window.location.href)).href).then(function (data) {
        shards[file] = data.deals.map(function (d, i) { return itemOf(rowOf(d), i); });
        return setScope(file, shards[file]);
      });
    }).catch(function () {
      if (status) status.textContent = template("data-failed", "The deals could not be loaded.");
      return false;
    });
  }

  function setScope(file, list) {
    if (scope !== file) {
      items.forEach(function (it) { if (it.tr.parentNode === tbody) tbody.removeChild(it.tr); });
      scope = file;
      items = list;
    }
    return true;
  }

  var headers = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
  var sortKeys = headers.map(function (th) { return th.getAttribute("data-sort"); });

  var state = { q: "", party: "", year: "", kind: "", sort: DEFAULT_SORT, dir: DEFAULT_DIR };

  function field(name) {
    if (!form || !form.elements) return null;
    var el = form.elements.namedItem(name);
    return el && el.nodeType === 1 ? el : null;
  }

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return true;
    }
    return false;
  }

  // Puts a value into a control; returns the value actually kept.
  function setField(name, value) {
    var el = field(name);
    if (!el) return "";
    if (el.tagName === "SELECT" && !hasOption(el, value)) value = "";
    el.value = value;
    return value;
  }

  function readFields() {
    FILTERS.forEach(function (name) {
      var el = field(name);
      state[name] = el ? String(el.value || "").trim() : "";
    });
  }

  /* The page's query parameters, or null where URLSearchParams is missing. */
  function urlParams() {
    try {
      return new URLSearchParams(window.location.search);
    } catch (e) {
      return null;
    }
  }

  function readUrl() {
    var params = urlParams();
    if (!params) return;
    FILTERS.forEach(function (name) {
      var v = params.get(name);
      if (v !== null) state[name] = setField(name, v.trim());
    });
    var sort = params.get("sort");
    var dir = params.get("dir");
    if (sort && sortKeys.indexOf(sort) >= 0) {
      state.sort = sort;
      state.dir = dir === "asc" || dir === "desc" ? dir : FIRST_DIR[sort] || "asc";
    } else if (dir === "asc" || dir === "desc") {
      state.dir = dir;
    }
  }

  function writeUrl() {
    if (!window.history || typeof window.history.replaceState !== "function") return;
    var params = urlParams();
    if (!params) return;
    FILTERS.forEach(function (name) {
      if (state[name]) params.set(name, state[name]);
      else params["delete"](name);
    });
    if (state.sort !== DEFAULT_SORT || state.dir !== DEFAULT_DIR) {
      params.set("sort", state.sort);
      params.set("dir", state.dir);
    } else {
      params["delete"]("sort");
      params["delete"]("dir");
    }
    var qs = params.toString();
    var url = window.location.pathname + (qs ? "?" + qs : "") + window.location.hash;
    try {
      window.history.replaceState(window.history.state, "", url);
    } catch (e) {
      /* file:// or sandboxed frames may refuse; the table still works. */
    }
  }

  function matches(it) {
    if (state.party && it.parties.indexOf(state.party) < 0) return false;
    if (state.year && it.year !== state.year) return false;
    if (state.kind && it.kind !== state.kind) return false;
    if (state.q) {
      var words = fold(state.q).split(/\s+/);
      for (var i = 0; i < words.length; i++) {
        if (words[i] && it.haystack.indexOf(words[i]) < 0) return false;
      }
    }
    return true;
  }

  function compare(a, b) {
    var c = 0;
    var key = state.sort;
    if (key === "amount" || key === "kind") {
      // Undisclosed amounts and missing kinds go last, whatever the direction.
      var va = key === "amount" ? a.value : a.kind || null;
      var vb = key === "amount" ? b.value : b.kind || null;
      if (va === null || vb === null) {
        c = (va === null) - (vb === null);
        return c || a.index - b.index;
      }
      c = key === "amount" ? va - vb : collator.compare(va, vb);
    } else if (key === "parties") {
      c = collator.compare(a.partiesText, b.partiesText);
    } else {
      c = a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
    }
    if (state.dir === "desc") c = -c;
    return c || a.index - b.index;
  }

  function formatMoney(n) {
    if (money) return money.format(n);
    return Math.round(n) + " " + currency;
  }

  function template(name, fallback) {
    return (status && status.getAttribute(name)) || fallback;
  }

  var statusTimer = null;

  function updateStatus(shown) {
    if (!status) return;
    var sum = 0;
    var undisclosed = 0;
    var cancelled = 0;
    shown.forEach(function (it) {
      // A cancelled deal is listed, but neither counted in nor added to the total.
      if (it.cancelled) { cancelled++; return; }
      if (it.value === null) undisclosed++;
      else sum += it.value;
    });
    // The count is of the deals counted, as in the totals; the cancelled
    // ones listed beside them are said apart.
    var n = shown.length - cancelled;
    var text = template(n === 1 ? "data-one" : "data-many", "{n} deals shown, total {total}")
      .replace("{n}", count ? count.format(n) : String(n))
      .replace("{total}", formatMoney(sum));
    if (undisclosed) {
      text += template("data-undisclosed", " ({u} undisclosed)")
        .replace("{u}", count ? count.format(undisclosed) : String(undisclosed));
    }
    if (cancelled) {
      text += template("data-cancelled-shown", " (and {c} cancelled)")
        .replace("{c}", count ? count.format(cancelled) : String(cancelled));
    }
    if (scopeYear) text += template("data-scope", " ({year} only)").replace("{year}", scopeYear);
    status.textContent = text;
  }

  function updateHeaders() {
    headers.forEach(function (th) {
      if (th.getAttribute("data-sort") === state.sort) {
        th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  // Re-sorts and filters the rows, once the view's scope is loaded. `delay`
  // debounces the live region while typing. A later call wins over an
  // earlier one still waiting for its shard.
  var generation = 0;
  function apply(delay) {
    var mine = ++generation;
    ensureScope().then(function (ok) {
      if (ok && mine === generation) show(delay);
    });
  }

  function show(delay) {
    var sorted = items.slice().sort(compare);
    var frag = document.createDocumentFragment();
    var shown = [];
    sorted.forEach(function (it) {
      var ok = matches(it);
      it.tr.hidden = !ok;
      if (ok) shown.push(it);
      frag.appendChild(it.tr);
    });
    tbody.appendChild(frag);
    updateHeaders();
    writeUrl();
    if (statusTimer) clearTimeout(statusTimer);
    if (delay) {
      statusTimer = setTimeout(function () { updateStatus(shown); }, delay);
    } else {
      updateStatus(shown);
    }
  }

  headers.forEach(function (th) {
    var button = th.querySelector("button");
    if (!button) return;
    button.disabled = false;
    button.addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      if (state.sort === key) {
        state.dir = state.dir === "asc" ? "desc" : "asc";
      } else {
        state.sort = key;
        state.dir = FIRST_DIR[key] || "asc";
      }
      apply(0);
    });
  });

  if (form) {
    form.hidden = false;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      readFields();
      apply(0);
    });
    form.addEventListener("input", function (e) {
      if (e.target && e.target.tagName === "INPUT") {
        readFields();
        apply(500);
      }
    });
    form.addEventListener("change", function () {
      readFields();
      apply(0);
    });
    form.addEventListener("reset", function () {
      // Controls change after the event; read them on the next tick.
      setTimeout(function () {
        readFields();
        apply(0);
      }, 0);
    });
  }

  readUrl();
  apply(0);
})();
