// A person logged in on the paired tablet at the door: after 5 minutes without input this page
// logs them out by itself, and the tablet goes back to counting. While someone types (without
// loading a page), the server is told now and then, so that it does not end the session
// under their fingers (buurtkamer.middleware.SharedDeviceSessionMiddleware).
(function () {
  "use strict";

  const bar = document.getElementById("gedeeld-apparaat");
  const form = document.getElementById("gedeeld-apparaat-uitloggen");
  if (!bar || !form) return;

  const IDLE_MS = Number(bar.dataset.idleSeconds || 300) * 1000;
  const PING_EVERY_MS = 30 * 1000;
  let lastInput = Date.now();
  let lastPing = lastInput; // loading this page was a request too
  let leaving = false;

  function input() {
    lastInput = Date.now();
    if (lastInput - lastPing >= PING_EVERY_MS) {
      lastPing = lastInput;
      window.fetch(bar.dataset.pingUrl, { credentials: "same-origin", cache: "no-store" }).catch(() => {});
    }
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach((type) => {
    document.addEventListener(type, input, { capture: true, passive: true });
  });

  window.setInterval(() => {
    if (!leaving && Date.now() - lastInput >= IDLE_MS) {
      leaving = true;
      form.submit();
    }
  }, 5000);
})();
