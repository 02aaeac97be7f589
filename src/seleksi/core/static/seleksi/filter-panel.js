// A folded filter (<details class="filter-panel">) stays open on a wide screen, where it
// does not push the list below the first screen. Without this file it opens by a tap.
(function () {
  var panels = document.querySelectorAll("details.filter-panel");
  var wide = window.matchMedia("(min-width: 40rem)");
  function follow() {
    if (!wide.matches) return;
    panels.forEach(function (panel) { panel.open = true; });
  }
  follow();
  wide.addEventListener("change", follow);
})();
