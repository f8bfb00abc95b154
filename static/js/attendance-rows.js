// "Add an attendee": a new empty attendance row, as Django's formset expects it (the next index in
// every name, id and label, and TOTAL_FORMS one higher), up to the formset's MAX_NUM_FORMS.
(function () {
  const button = document.getElementById("add-attendee");
  const rows = document.getElementById("attendance-rows");
  const total = document.getElementById("id_attendance-TOTAL_FORMS");
  const max = document.getElementById("id_attendance-MAX_NUM_FORMS");
  if (!button || !rows || !total) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    const count = parseInt(total.value, 10);
    if (max && count >= parseInt(max.value, 10)) {
      button.disabled = true;
      button.textContent = "A meeting lists at most " + max.value + " attendees";
      return;
    }
    const row = rows.lastElementChild.cloneNode(true);
    row.querySelectorAll(".error").forEach(function (error) { error.remove(); });
    row.querySelectorAll("[name], [id], label[for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/attendance-\d+-/, "attendance-" + count + "-"));
      });
    });
    row.querySelectorAll("label").forEach(function (label) {
      label.textContent = label.textContent.replace(/\d+/, String(count + 1));
    });
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox") input.checked = false; else input.value = "";  // a box keeps its value ("on")
    });
    row.querySelectorAll("select").forEach(function (select) {
      const initial = Array.from(select.options).findIndex(function (option) { return option.defaultSelected; });
      select.selectedIndex = Math.max(initial, 0);
    });
    rows.appendChild(row);
    total.value = String(count + 1);
    row.querySelector("input").focus();
  });
})();
