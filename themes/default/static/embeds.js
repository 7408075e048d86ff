// Videos placed with `{{ youtube(…) }}` or `{{ vimeo(…) }}`: the page holds a
// titled box and a link; nothing is fetched from the video's host until the
// reader presses "Play", which puts the privacy-enhanced player in its place.
(function () {
  "use strict";
  document.querySelectorAll(".video[data-player]").forEach(function (box) {
    var play = box.querySelector(".video-play");
    if (!play) return;
    play.hidden = false;
    play.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = box.getAttribute("data-player");
      frame.title = box.getAttribute("data-title") || play.textContent;
      frame.allow = "autoplay; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      box.textContent = "";
      box.classList.add("video-playing");
      box.appendChild(frame);
      frame.focus();
    });
  });
})();
