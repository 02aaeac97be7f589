// Keyboard-driven verification, as the hint on the page says: j/k move to the next or
// previous requirement, m/t mark the current one MS/TMS and stay on it (t opens the reason
// list; Escape returns to the requirement), s saves and opens the next application.
// Without this file the form works as usual.
(function () {
  const form = document.getElementById("checklist");
  if (!form) return;
  const items = Array.from(form.querySelectorAll(".check-item"));
  if (!items.length) return;
  let current = 0;
  function focusItem(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }
  // Clicking or tabbing into a requirement makes it the current one.
  form.addEventListener("focusin", function (event) {
    const index = items.findIndex(function (item) { return item.contains(event.target); });
    if (index >= 0) current = index;
  });
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches("input[type=text], textarea, select")) {
      if (event.key === "Escape" && items[current].contains(target)) {
        focusItem(current);
        event.preventDefault();
      }
      return;
    }
    const item = items[current];
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (event.key === "m" || event.key === "t") {
      const radio = item.querySelector(`input[type=radio][value=${event.key === "m" ? "MS" : "TMS"}]`);
      if (!radio) return;
      radio.checked = true;
      if (event.key === "t") item.querySelector("select").focus(); else focusItem(current);
      event.preventDefault();
    } else if (event.key === "s") { document.getElementById("save-next").click(); event.preventDefault(); }
  });
  const firstProblem = form.querySelector(".check-item.has-error");
  focusItem(firstProblem ? items.indexOf(firstProblem) : 0);
})();
