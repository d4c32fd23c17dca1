// What the staff pages' scripts (floor.js, bench.js) share: the next field to focus, a form
// sent in the background and its answer drawn in this window (scans made while it is drawn
// kept, not lost), or, when the network is gone, the message saying so with the form kept
// as it was. Loaded before the page's own script, which calls it.
"use strict";

window.staffPages = (() => {
  function showOffline(shown) {
    const offline = document.getElementById("offline");
    offline.hidden = !shown;
    if (shown) offline.scrollIntoView({ block: "start" });
  }

  // The first field of the group after `el`'s (a radio group counts as one field); the
  // inputs of the types in `passedOver` are never given the focus this way.
  function nextField(form, el, passedOver = []) {
    const skipped = ["hidden", ...passedOver].map((type) => `:not([type=${type}])`).join("");
    const all = Array.from(form.querySelectorAll(`input${skipped}, textarea, select, button`))
      .filter((field) => !field.disabled);
    let index = all.indexOf(el);
    while (index + 1 < all.length && el.name && all[index + 1].name === el.name) index += 1;
    return all[index + 1];
  }

  // Between a page drawn again by `send` and its own script running once more (its files
  // read again), a scanner's input would land on no field and be lost. Meanwhile the field
  // the page asks for has the focus at once; an Enter moves to the next field, and the one
  // that would send the form is held and sent once the page's script is there to check it.
  function holdScansUntilReady(passedOver) {
    document.querySelector("[autofocus]")?.focus();
    let held = null;
    const hold = (event) => {
      const el = event.target;
      if (event.key !== "Enter" || !el.form || el.tagName === "TEXTAREA") return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const next = nextField(el.form, el, passedOver);
      if (next && next.type !== "submit") next.focus();
      else held = el.form;
    };
    document.addEventListener("keydown", hold, true);
    // The old document's listeners are gone; this one fires before the page's own (added
    // by its script as it runs): the held form is sent after those are in place.
    document.addEventListener("DOMContentLoaded", () => {
      document.removeEventListener("keydown", hold, true);
      if (held) setTimeout(() => held.requestSubmit(), 0);
    });
  }

  // `draft`: the key of the form's draft in the tab, dropped once the form is taken;
  // `passedOver`: the input types the page's Enter never moves the focus to.
  async function send(form, button, draft, passedOver = []) {
    const method = (form.getAttribute("method") || "get").toUpperCase();
    let url = form.action;
    const init = { method, credentials: "same-origin" };
    if (method === "GET") url += "?" + new URLSearchParams(new FormData(form));
    else if (form.enctype === "multipart/form-data") init.body = new FormData(form);
    else init.body = new URLSearchParams(new FormData(form));
    let answer;
    try {
      answer = await fetch(url, init);
    } catch (error) {
      showOffline(true); // nothing left the device: the form is kept as it was
      if (button) button.disabled = false;
      return;
    }
    if (answer.ok) sessionStorage.removeItem(draft);
    const page = await answer.text();
    if (answer.redirected) history.pushState(null, "", answer.url);
    document.open();
    document.write(page);
    document.close();
    holdScansUntilReady(passedOver);
  }

  return { nextField, showOffline, send };
})();
