// The warehouse floor page: a scanner types into the focused field and presses Enter; the
// scan is checked at once (a wrong bin, item or label refused with a sound and a message,
// the field cleared for the next try), then the next field takes the focus. Each form is
// sent once; when the network is gone the entry stays as it was, with a message saying so.
// Without this script the forms still work: plain posts answered by the next page, which
// refuses a wrong scan itself.
"use strict";

// In a block of its own: the page may be drawn again into this window (a form's answer),
// running this script once more.
(() => {
  const { showOffline, send } = window.staffPages;

  let audio = null;

  // A low buzz, as scanners give for a bad read; counted on the page for whoever checks.
  function buzz() {
    const root = document.documentElement;
    root.dataset.buzzes = String(Number(root.dataset.buzzes || 0) + 1);
    try {
      audio = audio || new AudioContext();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.type = "square";
      tone.frequency.value = 220;
      volume.gain.value = 0.2;
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.35);
    } catch (error) {
      // No sound on this device: the message still says it.
    }
  }

  const scanned = (text) => text.trim().toUpperCase();

  // A field that expects one code: the wrong one refused here, before anything is sent.
  function refusedScan(el) {
    if (!el.dataset.expect || !el.value.trim()) return false;
    if (scanned(el.value) === scanned(el.dataset.expect)) return false;
    const message = document.getElementById("scan-error");
    if (message) {
      message.textContent = el.dataset.wrong.replace("{given}", el.value.trim());
      message.hidden = false;
    }
    buzz();
    el.value = "";
    el.focus();
    return true;
  }

  // A file field is passed over: the camera is opened by a tap, never by a scan's Enter.
  const nextField = (form, el) => window.staffPages.nextField(form, el, ["file"]);

  function advance(form) {
    form.addEventListener("keydown", (event) => {
      const el = event.target;
      if (event.key !== "Enter" || el.tagName === "TEXTAREA" || el.tagName === "BUTTON") return;
      if (refusedScan(el)) { event.preventDefault(); return; }
      const message = document.getElementById("scan-error");
      if (message && el.dataset.expect) message.hidden = true;
      const next = nextField(form, el);
      if (next && next.type !== "submit") {
        event.preventDefault();
        next.focus();
      }
    });
  }

  // What a form of many fields holds is kept in the tab until it is sent (not the files:
  // a browser cannot set those back): a reload or a lost network loses nothing.
  const draftKey = (form) => `floor-draft:${form.action}`;

  function keepDraft(form) {
    const held = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden" || el.type === "file") continue;
      held[el.name] = el.value;
    }
    sessionStorage.setItem(draftKey(form), JSON.stringify(held));
  }

  function restoreDraft(form) {
    const held = JSON.parse(sessionStorage.getItem(draftKey(form)) || "{}");
    for (const el of form.elements) {
      if (el.name in held && el.type !== "hidden" && el.type !== "file") el.value = held[el.name];
    }
  }

  // The queue fetches its own page again every few seconds and puts the new counts and
  // tasks in place of the old: the scan field, its focus and what is typed in it are not
  // part of what is replaced. When the network is gone it says so, keeps the tasks it last
  // had, and tries again at the next turn.
  function keepFresh(live) {
    const every = Number(live.dataset.refresh) || 15000;
    let fetching = false;
    async function refresh() {
      if (fetching || document.hidden) return;
      fetching = true;
      try {
        const answer = await fetch(location.href, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
          cache: "no-store",
        });
        const fresh = new DOMParser()
          .parseFromString(await answer.text(), "text/html")
          .getElementById("live");
        // Signed out meanwhile: the answer is the sign-in offer; the next visit shows it.
        if (!answer.ok || !fresh) return;
        const current = document.getElementById("live");
        current.replaceChildren(...fresh.childNodes);
        const root = document.documentElement;
        root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1);
      } catch (error) {
        const offline = document.getElementById("queue-offline");
        if (offline) offline.hidden = false;
      } finally {
        fetching = false;
      }
    }
    setInterval(refresh, every);
    window.addEventListener("online", refresh);
    document.addEventListener("visibilitychange", refresh);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelector("[autofocus]")?.focus();
    const live = document.getElementById("live");
    if (live) keepFresh(live);
    if (document.querySelector("[data-refused]")) buzz();
    for (const form of document.querySelectorAll("form[data-advance]")) advance(form);
    for (const form of document.querySelectorAll("form[data-draft]")) {
      restoreDraft(form);
      form.addEventListener("input", () => keepDraft(form));
    }
    // A plain form (signing out) is left to the browser: its answer is a whole new page.
    for (const form of document.querySelectorAll("form:not([data-plain])")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (form.dataset.sending === "1") return; // a double scan or tap: sent once
        for (const el of form.querySelectorAll("[data-expect]")) if (refusedScan(el)) return;
        if (!navigator.onLine) { showOffline(true); return; }
        const button = event.submitter || form.querySelector("button[type=submit]");
        form.dataset.sending = "1";
        if (button) button.disabled = true;
        send(form, button, draftKey(form), ["file"]).finally(() => { form.dataset.sending = ""; });
      });
    }
    window.addEventListener("online", () => showOffline(false));
    window.addEventListener("offline", () => {
      const queueOffline = document.getElementById("queue-offline");
      if (queueOffline) queueOffline.hidden = false;
      else showOffline(true);
    });
  });
})();
