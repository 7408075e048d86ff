// dealwire serve: reloads the page after a rebuild, and shows build errors over
// the page until they are fixed. Injected by `dealwire serve` only.
//
// The server's events (src/serve/http.rs, `to_event`): `reload` (the site
// changed: a JSON array of the URL paths whose pages changed, or "*" for
// all; a page reloads only when its own path is listed), `errors` (a JSON array of lines: the last change does not build),
// `ok` (the site builds and the pages are as they were), `bye` (stopping; the
// browser keeps retrying, so a restarted server is found again). The stream
// opens with `errors` or `ok`. On the error page served while no build
// has succeeded (`#dealwire-no-build`), the errors go into the page and `ok`
// means the site now builds, so it reloads.
(function () {
  "use strict";
  var ID = "dealwire-errors";
  function noBuildPage() {
    return document.getElementById("dealwire-no-build");
  }
  function show(lines) {
    var page = noBuildPage();
    if (page) {
      var list = page.querySelector("pre");
      if (list) list.textContent = lines.join("\n");
      return;
    }
    var box = document.getElementById(ID);
    if (!box) {
      box = document.createElement("div");
      box.id = ID;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;" +
        "padding:2rem;background:rgba(20,20,24,.94);color:#ffd6d6;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "dealwire: the last change does not build; this page is the last good one.\n\n" + lines.join("\n");
  }
  function hide() {
    var box = document.getElementById(ID);
    if (box) box.remove();
  }
  if (!window.EventSource) return;
  var source = new EventSource("/__dealwire/events");
  source.addEventListener("reload", function (e) {
    var changed = "*";
    try { changed = JSON.parse(e.data); } catch (err) { changed = "*"; }
    var here = window.location.pathname;
    if (changed === "*" || !changed.indexOf || changed.indexOf(here) >= 0 || noBuildPage()) {
      hide();
      window.location.reload();
    } else {
      hide();
    }
  });
  source.addEventListener("errors", function (e) {
    try { show(JSON.parse(e.data)); } catch (err) { show([String(e.data)]); }
  });
  source.addEventListener("ok", function () {
    if (noBuildPage()) window.location.reload(); else hide();
  });
})();
