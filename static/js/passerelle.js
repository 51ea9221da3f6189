/* Progressive enhancement only: every feature below works as a plain link without it. */
(function () {
  "use strict";

  // Video: the player is loaded from the provider only after a click on the link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".video__link");
    if (!link) return;
    var frame = link.closest("[data-video-embed]");
    var src = frame && frame.getAttribute("data-video-embed");
    if (!src) return;
    event.preventDefault();
    var iframe = document.createElement("iframe");
    iframe.src = src + (src.indexOf("?") === -1 ? "?" : "&") + "autoplay=1";
    iframe.title = frame.getAttribute("data-video-title") || "";
    iframe.allow = "autoplay; fullscreen; picture-in-picture";
    iframe.setAttribute("allowfullscreen", "");
    iframe.loading = "lazy";
    frame.replaceChildren(iframe);
    iframe.focus();
  });
})();
