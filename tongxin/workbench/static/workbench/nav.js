// The menu's groups are <details>: they open without JavaScript. This only closes the others when
// one opens, and all of them on a click elsewhere or Escape.
(function () {
  function groups() { return document.querySelectorAll("details[data-navgroup]"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details[data-navgroup]") || !opened.open) return;
    groups().forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest("details[data-navgroup]")) return;
    groups().forEach(function (d) { d.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups().forEach(function (d) {
      if (d.open) { d.open = false; d.querySelector("summary").focus(); }
    });
  });
})();
