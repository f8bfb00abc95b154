// A form sent twice (a double click, or a second click while a slow save is on its way) was saved
// twice: two meetings where one was held, which the scores then count twice. A form being sent is
// not sent again while its answer is awaited; coming back to the page (the browser's Back) or after
// ten seconds without an answer (a stopped page, say), it can be sent again. Forms sent by htmx
// are htmx's to queue; forms that only read (GET: the filters) are sent as often as asked.
(function () {
  const RELEASED_AFTER_MS = 10000;

  function release(form) {
    form.classList.remove("sending");
    form.removeAttribute("aria-busy");
    delete form.dataset.sending;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (event.defaultPrevented || form.method.toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.classList.add("sending");
    form.setAttribute("aria-busy", "true");
    setTimeout(function () { release(form); }, RELEASED_AFTER_MS);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
