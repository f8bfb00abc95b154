// Search-as-you-type for attendance fields: fills the shared <datalist> from /search/entities/.
// Listens on the document, so rows added later ("Add an attendee") search too.
(function () {
  const list = document.getElementById("entity-options");
  if (!list) return;
  const url = list.dataset.searchUrl;
  let timer = null;
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input.entity-search")) return;
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) return;
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) { list.innerHTML = html; });
    }, 250);
  });
})();
