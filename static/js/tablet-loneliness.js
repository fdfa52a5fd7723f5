// The anonymous loneliness questionnaire on the tablet (loneliness/templates/loneliness/tablet.html).
// One screen at a time; a finished questionnaire goes into a queue in localStorage with its own
// random id before anything is sent, and the queue is sent (also later, from the counting
// screen) until the server has it. The server stores an id once, so a retry never doubles.
// "Stoppen" sends nothing. Without JavaScript the page is one plain form.
(function () {
  "use strict";

  const PREFIX = "buurtkamer.loneliness.";
  const RETRY_MS = 30 * 1000;

  function load(key) {
    try {
      const items = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function store(key, items) {
    try {
      if (items.length) window.localStorage.setItem(key, JSON.stringify(items));
      else window.localStorage.removeItem(key);
      return true;
    } catch (error) {
      return false;
    }
  }

  const uuid4 = () => window.Buurtkamer.newClientId(); // static/js/client-id.js, loaded with this page

  // --- the queue: every stored key of this browser, sent in order --------------------------

  let sending = false;

  async function sendKey(key) {
    let items = load(key);
    while (items.length) {
      const item = items[0];
      let response;
      try {
        response = await fetch(item.url, {
          method: "POST",
          credentials: "same-origin",
          redirect: "error",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(item.body),
        });
      } catch (error) {
        return false; // offline: try again later
      }
      // Stored (201), or stored before (200); 400/409/413/415 can never succeed: dropped.
      // 401/403/404 (not paired now, or 5xx): kept for later.
      const done = [200, 201, 400, 409, 413, 415].includes(response.status);
      if (!done) return false;
      items = load(key).filter((other) => other.body.client_id !== item.body.client_id);
      store(key, items);
    }
    return true;
  }

  async function sendAll() {
    if (sending) return;
    sending = true;
    let allSent = true;
    try {
      for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
        const key = window.localStorage.key(i);
        if (key && key.startsWith(PREFIX)) allSent = (await sendKey(key)) && allSent;
      }
    } catch (error) {
      allSent = false;
    } finally {
      sending = false;
    }
    if (!allSent) window.setTimeout(sendAll, RETRY_MS);
  }

  window.addEventListener("online", sendAll);
  sendAll();

  // --- the questionnaire, one screen at a time ---------------------------------------------

  const root = document.getElementById("vragenlijst");
  const form = document.getElementById("vragenlijst-form");
  if (!root || !form) return;

  root.classList.add("js");
  const screens = Array.from(form.querySelectorAll(".screen"));
  const previous = root.querySelector("[data-previous]");
  let index = 0;

  function show(next) {
    index = Math.max(0, Math.min(next, screens.length - 1));
    screens.forEach((screen, i) => screen.classList.toggle("current", i === index));
    const isThanks = screens[index].dataset.screen === "thanks";
    previous.disabled = index === 0 || isThanks;
    root.querySelector(".questionnaire-nav").hidden = isThanks;
    const heading = screens[index].querySelector(".statement");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  function finish() {
    const data = new FormData(form);
    const body = { client_id: uuid4(), round: Number(root.dataset.round) };
    for (let n = 1; n <= 6; n += 1) body["answer_" + n] = data.get("answer_" + n) || "";
    body.frequency = data.get("frequency") || "";
    const key = PREFIX + root.dataset.slug;
    const items = load(key);
    items.push({ url: root.dataset.apiUrl, body: body });
    store(key, items);
    form.reset();
    show(screens.findIndex((screen) => screen.dataset.screen === "thanks"));
    sendAll();
    window.setTimeout(() => { window.location.href = root.dataset.backUrl; }, 20 * 1000);
  }

  function advance() {
    const next = screens[index + 1];
    if (next && next.dataset.screen === "thanks") finish();
    else show(index + 1);
  }

  // A tap on an answer (also the one chosen before, after "Vorige") goes on to the next screen;
  // arrow keys only move the choice, Enter or Space confirms it.
  // The short pause lets the chosen answer light up; a finger that bounces (two taps) still
  // goes on by one screen only.
  let pending = null;
  function advanceFrom(from) {
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      pending = null;
      if (index === from) advance();
    }, 250);
  }

  form.addEventListener("click", (event) => {
    if (event.target.closest("[data-next]")) advance();
    else if (event.target.closest("label.answer")) advanceFrom(index);
  });
  form.addEventListener("keydown", (event) => {
    if (event.target.matches("input[type=radio]") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      event.target.checked = true;
      advance();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish();
  });
  previous.addEventListener("click", () => {
    window.clearTimeout(pending);
    show(index - 1);
  });
  show(0);
})();
