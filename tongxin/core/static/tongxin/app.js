// Tongxin: the little JavaScript that htmx cannot do. No inline scripts (CSP).
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle]");
  if (!toggle) return;
  var target = document.getElementById(toggle.getAttribute("data-toggle"));
  if (!target) return;
  var open = target.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});
