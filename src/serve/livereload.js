// dealwire serve: reloads the page after a rebuild, and shows build errors over
// the page until they are fixed. Injected by `dealwire serve` only.
(function () {
  "use strict";
  var ID = "dealwire-errors";
  function show(lines) {
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
  source.addEventListener("reload", function () { hide(); window.location.reload(); });
  source.addEventListener("errors", function (e) {
    try { show(JSON.parse(e.data)); } catch (err) { show([String(e.data)]); }
  });
  source.addEventListener("ok", hide);
})();
