// A table's "select all" box (class select-all, hidden without JavaScript): ticks or clears every
// box of its column on the page, and shows itself ticked when they all are.
(function () {
  document.querySelectorAll("input.select-all").forEach(function (all) {
    const table = all.closest("table");
    const boxes = Array.from(table.querySelectorAll("tbody input[type=checkbox]"));
    if (!boxes.length) return;
    all.hidden = false;
    const sync = function () { all.checked = boxes.every(function (b) { return b.checked; }); };
    all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  });
})();
