// The resident's category picker in two steps: first the kind of problem (group tiles), then the
// category inside it. Without JavaScript every group is shown at once with its radio tiles.
(function () {
  "use strict";
  function setUp(picker) {
    var groupBar = picker.querySelector("[data-cat-groups]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("fieldset.cat-group"));
    var tiles = Array.prototype.slice.call(groupBar.querySelectorAll("button[data-group]"));
    function show(number, focus) {
      groups.forEach(function (group) { group.hidden = group.dataset.group !== number; });
      tiles.forEach(function (tile) { tile.setAttribute("aria-pressed", String(tile.dataset.group === number)); });
      groupBar.hidden = number !== "";
      if (focus && number) {
        var first = picker.querySelector("fieldset.cat-group[data-group='" + number + "'] input");
        if (first) { first.focus(); }
      }
    }
    picker.classList.add("is-enhanced");
    picker.querySelectorAll("[data-cat-back]").forEach(function (back) {
      back.hidden = false;
      back.addEventListener("click", function () {
        show("", false);
        var pressed = tiles[0];
        if (pressed) { pressed.focus(); }
      });
    });
    tiles.forEach(function (tile) {
      tile.addEventListener("click", function () { show(tile.dataset.group, true); });
    });
    var checked = picker.querySelector("input[type=radio]:checked");
    show(checked ? checked.closest("fieldset").dataset.group : "", false);
  }
  function init() {
    document.querySelectorAll("[data-cat-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
