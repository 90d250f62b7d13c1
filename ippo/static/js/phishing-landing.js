// Phishing-drill landing pages (ippo.phishing.public_views): tell the server, once, that a person is on
// the page — the first time someone moves the pointer, scrolls, taps or types. Link scanners fetch the page
// but do none of that, so their clicks stay marked as "probably a link scanner". Sends no data: an empty
// POST to the page's own confirm URL, without cookies or a referrer.
(function () {
  "use strict";
  var main = document.querySelector("[data-drill-confirm]");
  if (main) {
    var url = main.getAttribute("data-drill-confirm");
    var sent = false;
    var events = ["pointermove", "pointerdown", "touchstart", "keydown", "scroll", "wheel"];
    var confirm = function () {
      if (sent || document.visibilityState === "hidden") { return; }
      sent = true;
      events.forEach(function (name) { window.removeEventListener(name, confirm, true); });
      fetch(url, {
        method: "POST",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "X-Requested-With": "ippo-drill" }
      }).catch(function () { sent = false; });
    };
    events.forEach(function (name) { window.addEventListener(name, confirm, { capture: true, passive: true }); });
  }
  // The practice sign-in form: empty the fields before the form is sent. They have no name attribute, so
  // the browser would not send them anyway; this keeps them out of the browser's form history too.
  var form = document.querySelector("form[data-drill-practice]");
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    });
  }
})();
