// Facilitator mode (ippo/tabletop): keyboard navigation and a live elapsed-time clock.
// The page works without this file: the Previous/Next links and the Save button do the same by plain HTTP.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "INPUT" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || typing(event.target)) return;
    var which = null;
    if (event.key === "ArrowRight" || event.key === "PageDown") which = "next";
    if (event.key === "ArrowLeft" || event.key === "PageUp") which = "prev";
    if (!which) return;
    var link = document.querySelector('a[data-key="' + which + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  // The server says how many seconds have passed; count on from there (no reliance on the device's clock).
  var clock = document.querySelector(".tt-clock[data-elapsed-seconds]");
  if (!clock || !clock.hasAttribute("data-running")) return;
  var minutes = clock.querySelector("[data-clock-minutes]");
  var base = parseInt(clock.getAttribute("data-elapsed-seconds"), 10) || 0;
  var next = parseInt(clock.getAttribute("data-next-minute"), 10);
  var loaded = Date.now();
  function tick() {
    var elapsed = Math.floor((base + (Date.now() - loaded) / 1000) / 60);
    if (minutes) minutes.textContent = String(elapsed);
    clock.classList.toggle("is-late", !isNaN(next) && elapsed > next);
  }
  tick();
  window.setInterval(tick, 5000);
})();
