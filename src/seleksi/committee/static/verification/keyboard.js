// Keyboard-driven verification: j/k move between requirements, m/t mark MS/TMS,
// s saves and opens the next application. Without this file the form works as usual.
(function () {
  const form = document.getElementById("checklist");
  if (!form) return;
  const items = Array.from(form.querySelectorAll(".check-item"));
  let current = 0;
  function focusItem(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.matches("input[type=text], textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const item = items[current];
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (event.key === "m" || event.key === "t") {
      const radio = item.querySelector(`input[type=radio][value=${event.key === "m" ? "MS" : "TMS"}]`);
      radio.checked = true;
      if (event.key === "t") item.querySelector("select").focus(); else focusItem(current + 1);
      event.preventDefault();
    } else if (event.key === "s") { document.getElementById("save-next").click(); event.preventDefault(); }
  });
  if (items.length) focusItem(0);
})();
