// Adds a "Copy" button to each code block. Without JavaScript the blocks are
// plain and complete; line numbers are never copied.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  var label = document.documentElement.lang === "fr" ? ["Copier", "Copié"] : ["Copy", "Copied"];
  document.querySelectorAll("pre.code").forEach(function (pre) {
    var wrap = document.createElement("div");
    wrap.className = "code-wrap";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = label[0];
    button.addEventListener("click", function () {
      var code = pre.querySelector("code").cloneNode(true);
      code.querySelectorAll(".lineno").forEach(function (n) { n.remove(); });
      navigator.clipboard.writeText(code.textContent).then(function () {
        button.textContent = label[1];
        setTimeout(function () { button.textContent = label[0]; }, 1500);
      }, function () {});
    });
    wrap.appendChild(button);
  });
})();
