// Search-as-you-type for the fields that name an entity (attendance rows, the menu's "Find an
// entity", the changes page): fills the field's own <datalist> from its data-search-url.
// Listens on the document, so rows added later ("Add an attendee") search too.
(function () {
  const timers = new WeakMap();
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input.entity-search")) return;
    const list = input.list;
    if (!list || !list.dataset.searchUrl) return;
    clearTimeout(timers.get(input));
    const query = input.value.trim();
    if (query.length < 2) return;
    timers.set(input, setTimeout(function () {
      fetch(list.dataset.searchUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        // suggestions only: a failure or a redirect (the session ended: the sign-in page) leaves the list as it was
        .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
        .then(function (html) { if (html !== null) list.innerHTML = html; })
        .catch(function () {});
    }, 250));
  });
})();
