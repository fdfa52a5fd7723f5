// Buurtkamer check-in screen. Every tap gets its own id and goes into a queue in the browser
// (localStorage) before anything is sent, so a tap survives a dropped wifi, a reload and a
// server hiccup. The queue is sent in order; the server ignores an id it has already seen.
(function () {
  "use strict";

  const root = document.getElementById("tablet");
  if (!root) return;

  const form = document.getElementById("tik");
  const STORE_KEY = "buurtkamer.tablet." + root.dataset.slug;
  const UNDO_MS = Number(root.dataset.undoMinutes || 10) * 60 * 1000;
  const RETRY_MAX_MS = 60 * 1000;
  // A second tap this soon after the one before is a finger that bounced: counted once.
  const DOUBLE_TAP_MS = 500;
  const DAY_PARTS = ["morning", "afternoon", "evening"];

  // Texts come translated from the page (data-t-* attributes), so they follow the language.
  function t(key) {
    return root.dataset["t" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
  }

  // --- state, kept in localStorage ----------------------------------------------------------

  function emptyState() {
    return { queue: [], recent: [], counts: null };
  }

  function load() {
    try {
      const raw = window.localStorage.getItem(STORE_KEY);
      const state = raw ? JSON.parse(raw) : emptyState();
      state.queue = Array.isArray(state.queue) ? state.queue : [];
      state.recent = Array.isArray(state.recent) ? state.recent : [];
      return state;
    } catch (error) {
      return emptyState();
    }
  }

  let memoryOnly = false;
  function save() {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
      memoryOnly = false;
    } catch (error) {
      memoryOnly = true; // private mode or full storage: keep going in memory
    }
  }

  let state = load();

  // Another tab of this page may have changed the stored state: always work on the latest.
  function refresh() {
    if (!memoryOnly) state = load();
  }

  function localDate(date) {
    const d = date || new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function dayPartOf(date) {
    const hour = date.getHours();
    return hour < 12 ? "morning" : hour < 18 ? "afternoon" : "evening";
  }

  function countsFromPage() {
    const counts = { date: root.dataset.today, at: root.dataset.renderedAt };
    counts.total = Number(document.getElementById("teller").textContent) || 0;
    DAY_PARTS.forEach((part) => {
      counts[part] = Number(document.getElementById("teller-" + part).textContent) || 0;
    });
    return counts;
  }

  // The page may be a copy from the cache: the newest of the page's and the stored figures wins.
  (function adoptCounts() {
    const fromPage = countsFromPage();
    const stored = state.counts;
    if (!stored || new Date(stored.at) < new Date(fromPage.at)) {
      state.counts = fromPage;
    }
  })();

  const uuid4 = () => window.Buurtkamer.newClientId(); // static/js/client-id.js, loaded with this page

  // --- showing it -------------------------------------------------------------------------

  const feedback = document.getElementById("bevestiging");
  const queueStatus = document.getElementById("wachtrij");
  const recentList = document.getElementById("recent");
  let problem = "";

  function shownCounts() {
    const today = localDate();
    const base = state.counts && state.counts.date === today ? state.counts : { total: 0, morning: 0, afternoon: 0, evening: 0 };
    const shown = { total: base.total, morning: base.morning, afternoon: base.afternoon, evening: base.evening };
    state.queue.forEach((op) => {
      const tapped = new Date(op.tapped_at);
      if (localDate(tapped) !== today) return;
      const delta = op.type === "visit" ? 1 : -1;
      shown.total += delta;
      shown[op.type === "visit" ? dayPartOf(tapped) : op.day_part || dayPartOf(tapped)] += delta;
    });
    return shown;
  }

  function render() {
    const shown = shownCounts();
    document.getElementById("teller").textContent = String(Math.max(shown.total, 0));
    DAY_PARTS.forEach((part) => {
      document.getElementById("teller-" + part).textContent = String(Math.max(shown[part], 0));
    });

    const waiting = state.queue.length;
    if (waiting || problem || memoryOnly) {
      const parts = [];
      if (waiting) parts.push(waiting === 1 ? t("waitingOne") : t("waitingMany").replace("N", String(waiting)));
      if (problem) parts.push(problem);
      if (memoryOnly) parts.push(t("noStorage"));
      queueStatus.textContent = parts.join(" · ");
      queueStatus.classList.toggle("is-problem", Boolean(problem));
      queueStatus.hidden = false;
    } else {
      queueStatus.textContent = "";
      queueStatus.hidden = true;
    }
    renderRecent();
  }

  function renderRecent() {
    const now = Date.now();
    state.recent = state.recent.filter((tap) => now - new Date(tap.tapped_at).getTime() < UNDO_MS);
    recentList.replaceChildren();
    const visible = state.recent.filter((tap) => tap.status !== "undone" && tap.status !== "dropped").slice(0, 5);
    if (!visible.length) {
      const empty = document.createElement("li");
      empty.className = "recent-empty";
      empty.textContent = t("nothingRecent");
      recentList.append(empty);
      return;
    }
    visible.forEach((tap) => {
      const item = document.createElement("li");
      item.dataset.clientId = tap.client_id;
      // What it was ("eerste bezoek · 65 en ouder"), so that the right one is undone.
      const what = document.createElement("span");
      what.className = "recent-what";
      const time = document.createElement("span");
      time.className = "recent-time";
      const tapped = new Date(tap.tapped_at);
      time.textContent = String(tapped.getHours()).padStart(2, "0") + ":" + String(tapped.getMinutes()).padStart(2, "0") +
        (tap.status === "queued" ? " " + t("queued") : "");
      const label = document.createElement("span");
      label.className = "recent-label";
      label.textContent = tap.label || t("plainVisit");
      what.append(time, " ", label);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-danger undo-button";
      button.textContent = tap.status === "undoing" ? t("undoing") : t("undo");
      button.disabled = tap.status === "undoing";
      button.addEventListener("click", () => undo(tap.client_id));
      item.append(what, button);
      recentList.append(item);
    });
  }

  let feedbackTimer = null;
  function say(text) {
    feedback.textContent = text;
    window.clearTimeout(feedbackTimer);
    feedbackTimer = window.setTimeout(() => { feedback.textContent = ""; }, 4000);
  }

  // --- tapping and undoing ----------------------------------------------------------------

  function chosen(name) {
    const input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function resetChoices() {
    ["first_visit", "age_band", "came_via"].forEach((name) => {
      const first = form.querySelector('input[name="' + name + '"]');
      if (first) first.checked = true;
    });
    showCameVia();
  }

  function showCameVia() {
    const via = document.getElementById("via");
    if (via) via.hidden = chosen("first_visit") !== "yes";
  }

  // The same words as the server's Visit.summary(), from the chosen buttons' data-label.
  function describe(submitter) {
    const parts = [];
    ["first_visit", "came_via", "age_band"].forEach((name) => {
      if (name === "came_via" && chosen("first_visit") !== "yes") return;
      const input = form.querySelector('input[name="' + name + '"]:checked');
      if (input && input.dataset.label) parts.push(input.dataset.label);
    });
    if (submitter && submitter.dataset.label) parts.push(submitter.dataset.label);
    return parts.join(" · ") || t("plainVisit");
  }

  let lastTapAt = -Infinity;

  function tap(event) {
    event.preventDefault();
    const moment = window.performance.now();
    if (moment - lastTapAt < DOUBLE_TAP_MS) {
      say(t("doubleTap"));
      return;
    }
    lastTapAt = moment;
    const now = new Date();
    // A "komt voor: ..." tag is a submit button of its own: its value names the activity.
    const submitter = event.submitter;
    const occurrence = submitter && submitter.name === "occurrence" ? submitter.value : "";
    const op = {
      type: "visit",
      client_id: uuid4(),
      tapped_at: now.toISOString(),
      first_visit: chosen("first_visit") || "unknown",
      age_band: chosen("age_band"),
      came_via: chosen("first_visit") === "yes" ? chosen("came_via") : "",
      occurrence: occurrence,
    };
    refresh();
    state.queue.push(op);
    state.recent.unshift({ client_id: op.client_id, tapped_at: op.tapped_at, status: "queued", label: describe(submitter) });
    save();
    resetChoices();
    say(t("counted"));
    render();
    send();
  }

  function undo(clientId) {
    refresh();
    const tapEntry = state.recent.find((t) => t.client_id === clientId);
    const queued = state.queue.findIndex((op) => op.type === "visit" && op.client_id === clientId);
    if (queued >= 0 && clientId !== inFlight) {
      state.queue.splice(queued, 1); // never sent: simply forget it
      if (tapEntry) tapEntry.status = "undone";
    } else {
      const tapped = tapEntry ? tapEntry.tapped_at : new Date().toISOString();
      // Sent, or being sent right now: the server voids it; the undo counts from this moment.
      state.queue.push({
        type: "undo",
        client_id: clientId,
        tapped_at: tapped,
        undone_at: new Date().toISOString(),
        day_part: dayPartOf(new Date(tapped)),
      });
      if (tapEntry) tapEntry.status = "undoing";
    }
    save();
    say(t("undone"));
    render();
    send();
  }

  // --- sending ----------------------------------------------------------------------------

  let sending = false;
  let inFlight = null; // the client_id whose request is on its way
  let retryDelay = 1000;
  const REQUEST_TIMEOUT_MS = 15000;
  // Answers that can never turn into a success by sending again: the operation is dropped.
  const KNOWN_REFUSALS = ["invalid", "other_location", "unknown", "too_late", "not_yours", "bad_time", "too_large"];
  let retryTimer = null;

  function scheduleRetry(delay) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(send, delay);
  }

  async function post(url, body) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "error", // a redirect (e.g. to a login page) is no acknowledgement
        signal: controller.signal,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } finally {
      window.clearTimeout(timer);
    }
  }

  // While the counts are less than a minute old, a tap asks the server not to count the day
  // again ("counts": false) and settle() adds it itself: a busy moment costs one count a minute.
  const COUNTS_FRESH_MS = 60 * 1000;
  function countsAreFresh() {
    return Boolean(state.counts) && state.counts.date === localDate() &&
      Date.now() - new Date(state.counts.at).getTime() < COUNTS_FRESH_MS;
  }

  async function sendOne(op) {
    if (op.type === "visit") {
      const { type, tried, ...body } = op;
      // A tap sent before (its answer got lost) may be in the counts already: it asks for them.
      if (!tried && countsAreFresh()) body.counts = false;
      op.tried = true;
      save();
      return post(root.dataset.checkinUrl, body);
    }
    return post(root.dataset.undoUrl, { client_id: op.client_id, undone_at: op.undone_at || "" });
  }

  function sameOp(a, b) {
    return a.type === b.type && a.client_id === b.client_id;
  }

  function settle(op, payload) {
    refresh();
    state.queue = state.queue.filter((other) => !sameOp(other, op));
    const entry = state.recent.find((t) => t.client_id === op.client_id);
    if (entry) entry.status = op.type === "visit" ? (payload && payload.voided ? "undone" : "sent") : "undone";
    if (payload && payload.today) {
      state.counts = Object.assign({}, payload.today, { at: new Date().toISOString() });
    } else if (payload && op.type === "visit" && state.counts) {
      if (payload.created && !payload.voided && state.counts.date === payload.recorded_on) {
        state.counts.total += 1; // stored now: one more, in the day-part the server chose
        state.counts[payload.day_part] = (state.counts[payload.day_part] || 0) + 1;
      } else if (!payload.created) {
        state.counts.at = new Date(0).toISOString(); // maybe counted already: ask next time
      }
    }
  }

  // One sender at a time, also across tabs of this page (Web Locks where the browser has them).
  function send() {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(STORE_KEY, { ifAvailable: true }, (lock) => (lock ? sendAll() : null));
    }
    return sendAll();
  }

  async function sendAll() {
    if (sending) return;
    sending = true;
    try {
      refresh();
      while (state.queue.length) {
        const op = state.queue[0];
        let response;
        inFlight = op.type === "visit" ? op.client_id : null;
        try {
          response = await sendOne(op);
        } catch (error) {
          problem = ""; // no network: simply wait for it
          scheduleRetry(retryDelay);
          retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
          return;
        }
        inFlight = null;
        let payload = null;
        try { payload = await response.json(); } catch (error) { payload = null; }
        const ours = payload !== null && typeof payload === "object" && typeof payload.status === "string";
        if (response.ok && ours && payload.status === "ok") {
          settle(op, payload);
          problem = "";
          retryDelay = 1000;
        } else if ((ours && KNOWN_REFUSALS.includes(payload.status)) || response.status === 413) {
          // This one can never succeed (e.g. undo after 10 minutes, or a body too large even
          // for a proxy in between): drop it, say why, and go on with the rest of the queue.
          settle(op, null);
          const entry = state.recent.find((t) => t.client_id === op.client_id);
          if (entry && op.type === "undo") entry.status = "sent";
          if (entry && op.type === "visit" && response.status === 413) entry.status = "dropped";
          say(ours && payload.message ? payload.message : response.status === 413 ? t("tooLarge") : t("failed"));
        } else if (ours && (response.status === 401 || response.status === 403)) {
          // Not paired (any more) or logged out: keep every tap until someone fixes it.
          problem = payload && payload.message ? payload.message : t("notPaired");
          save();
          render();
          scheduleRetry(RETRY_MAX_MS);
          return;
        } else {
          scheduleRetry(retryDelay); // the server has a problem: try again a bit later
          retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
          return;
        }
        save();
        render();
        refresh();
      }
    } finally {
      inFlight = null;
      sending = false;
      save();
      render();
    }
  }

  // --- start ------------------------------------------------------------------------------

  // Taps the page was rendered with (e.g. from another device) can be undone here too.
  recentList.querySelectorAll("li[data-client-id]").forEach((item) => {
    const id = item.dataset.clientId;
    const known = state.recent.find((t) => t.client_id === id);
    if (!known) {
      state.recent.push({ client_id: id, tapped_at: item.dataset.recordedAt, status: "sent", label: item.dataset.label });
    } else if (!known.label) {
      known.label = item.dataset.label;
    }
  });
  state.recent.sort((a, b) => new Date(b.tapped_at) - new Date(a.tapped_at));

  form.addEventListener("submit", tap);
  window.addEventListener("storage", (event) => {
    if (event.key === STORE_KEY) {
      refresh();
      render();
    }
  });
  form.querySelectorAll('input[name="first_visit"]').forEach((input) => input.addEventListener("change", showCameVia));
  window.addEventListener("online", () => { retryDelay = 1000; send(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) send(); });

  const clock = document.getElementById("klok");
  window.setInterval(() => {
    const now = new Date();
    clock.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    render();
  }, 15000);

  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/tablet/" })
      .then(() => navigator.serviceWorker.ready)
      .then(() => window.caches && window.caches.open("buurtkamer-tablet-v1"))
      .then((cache) => cache && cache.add(window.location.pathname))
      .catch(() => {});
  }

  showCameVia();
  save();
  render();
  send();
})();
