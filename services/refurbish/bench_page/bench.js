// The bench page on the floor: the next field takes the focus by itself (a scanner types
// and presses Enter; a choice made moves on), each form is sent once, and when the network
// is gone the form stays as it was, with a message saying so. Without this script the
// forms still work: plain posts answered by the next page.
"use strict";

// In a block of its own: the page may be drawn again into this window (a form's answer),
// running this script once more.
(() => {
  const { nextField, showOffline, send } = window.staffPages;

  function advance(form) {
    form.addEventListener("change", (event) => {
      const el = event.target;
      if (el.type === "radio") nextField(form, el)?.focus();
    });
    form.addEventListener("keydown", (event) => {
      const el = event.target;
      if (event.key !== "Enter" || el.tagName === "TEXTAREA" || el.tagName === "BUTTON") return;
      const next = nextField(form, el);
      if (next && next.type !== "submit") {
        event.preventDefault();
        next.focus();
      }
    });
  }

  // What a form holds is kept in the tab (not the files: a browser cannot set those back)
  // until it is sent: a reload or a lost page does not lose the checklist.
  const draftKey = (form) => `bench-draft:${form.action}`;

  function keepDraft(form) {
    const held = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden" || el.type === "file") continue;
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) held[el.name] = el.value; }
      else held[el.name] = el.value;
    }
    sessionStorage.setItem(draftKey(form), JSON.stringify(held));
  }

  function restoreDraft(form) {
    const held = JSON.parse(sessionStorage.getItem(draftKey(form)) || "{}");
    for (const el of form.elements) {
      if (!(el.name in held) || el.type === "hidden" || el.type === "file") continue;
      if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === held[el.name];
      else el.value = held[el.name];
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelector("[autofocus]")?.focus(); // also on a page drawn from a form's answer
    for (const form of document.querySelectorAll("form[data-advance]")) {
      advance(form);
      restoreDraft(form);
      form.addEventListener("change", () => keepDraft(form));
      form.addEventListener("input", () => keepDraft(form));
    }
    for (const form of document.querySelectorAll("form")) {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sending === "1") { event.preventDefault(); return; } // a double tap
        event.preventDefault();
        if (!navigator.onLine) { showOffline(true); return; }
        const button = event.submitter || form.querySelector("button[type=submit]");
        form.dataset.sending = "1";
        if (button) button.disabled = true;
        send(form, button, draftKey(form)).finally(() => { form.dataset.sending = ""; });
      });
    }
    window.addEventListener("online", () => showOffline(false));
    window.addEventListener("offline", () => showOffline(true));
  });
})();
