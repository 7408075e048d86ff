/* dealwire: filters and sorting for the deals index. No dependencies.
   Works on the markup of deals.html; without this script the page is a plain,
   complete table. State lives in the query string:
   ?q=&party=&year=&kind=&sort=&dir= */
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
  var items = Array.prototype.map.call(tbody.rows, function (tr, i) {
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
      haystack: fold([partiesText, kind, title].join(" \u0000 "))
    };
  });

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
    shown.forEach(function (it) {
      if (it.value === null) undisclosed++;
      else sum += it.value;
    });
    var n = shown.length;
    var text = template(n === 1 ? "data-one" : "data-many", "{n} deals shown, total {total}")
      .replace("{n}", count ? count.format(n) : String(n))
      .replace("{total}", formatMoney(sum));
    if (undisclosed) {
      text += template("data-undisclosed", " ({u} undisclosed)")
        .replace("{u}", count ? count.format(undisclosed) : String(undisclosed));
    }
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

  // Re-sorts and filters the rows. `delay` debounces the live region while typing.
  function apply(delay) {
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
