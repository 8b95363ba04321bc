// The tracking page's copy buttons: copy the private link (or the code) to the clipboard. Without
// JavaScript the buttons stay hidden and the link can be selected by hand.
(function () {
  "use strict";
  function fallbackCopy(field) {
    if (!field || typeof field.select !== "function") { return false; }
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function setUp(button) {
    var target = document.querySelector(button.dataset.copy);
    var status = document.querySelector(".copy-status");
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in target ? target.value : target.textContent.trim();
      function done(ok) {
        if (status) { status.textContent = ok ? button.dataset.copied : button.dataset.copyFailed; }
        if (ok) { button.classList.add("is-copied"); }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(target)); });
      } else {
        done(fallbackCopy(target));
      }
    });
  }
  function init() { document.querySelectorAll("button[data-copy]").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
