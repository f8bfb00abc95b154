// A part of a page that htmx could not read or save says so where it shows: htmx leaves the part as
// it was when the server fails or cannot be reached, so a check would say "Checking…" forever and a
// Save would seem to do nothing. The note goes once the part is read or saved. (A 400, the server's
// refusal saying why, is shown as any answer: base.html's htmx-config.)
(function () {
  function noteId(elt) {
    const owner = elt.id ? elt : elt.closest("[id]");
    return owner ? owner.id + "-failure" : "";
  }

  function saving(event) {
    return event.detail.requestConfig && event.detail.requestConfig.verb !== "get";
  }

  function say(elt, isSaving, why) {
    const id = noteId(elt);
    let note = id && document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.className = "htmx-failure error";
      note.setAttribute("role", "alert");
      if (id) note.id = id;
      elt.insertAdjacentElement("afterend", note);
    }
    note.textContent = isSaving ? "Not saved: " + why + " Try again." : "Not shown: " + why + " Reload the page to try again.";
  }

  // A part asked for every few seconds (an import's progress, a settings preview) that the server
  // refuses (a 4xx: the upload's report no longer kept, say) would be refused again every time:
  // it stops asking. After a 5xx or no answer it goes on (the server may be back by the next ask).
  function polled(elt) {
    return /\bevery\b/.test(elt.getAttribute("hx-trigger") || "");
  }

  function stopAsking(elt) {
    const stopped = elt.cloneNode(true); // not processed by htmx, so never asked for again
    stopped.removeAttribute("hx-trigger");
    stopped.removeAttribute("hx-get");
    elt.replaceWith(stopped); // htmx stops polling an element no longer in the page
    return stopped;
  }

  document.addEventListener("htmx:responseError", function (event) {
    const elt = event.detail.elt;
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && polled(elt)) {
      say(stopAsking(elt), false, "the server answered " + status + "; this box no longer updates by itself.");
      return;
    }
    say(elt, saving(event), "the server answered " + status + (status === 403 ? " (your role may not do this, or the page is out of date)." : "."));
  });
  document.addEventListener("htmx:sendError", function (event) {
    say(event.detail.elt, saving(event), "the server could not be reached.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) return;
    const id = noteId(event.detail.elt);
    const note = id && document.getElementById(id);
    if (note) note.remove();
  });
})();
