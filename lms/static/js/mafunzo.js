// Mafunzo's only script: keeps keyboard and screen-reader users oriented after htmx swaps.
// Pages work without it; it never carries content or logic of its own.
document.addEventListener("htmx:afterSettle", function (event) {
  // After an outerHTML swap, event.detail.target is the detached old element; event.target
  // is the new one in the page.
  var target = event.target;
  var focus = target.querySelector("[data-focus-after-swap]") || target.querySelector("h1");
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
});
