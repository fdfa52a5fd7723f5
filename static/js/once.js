// Submit buttons switch off after the first click, so a form that creates something is sent
// once (the server also refuses a second send: buurtkamer/once.py). The back button brings
// the page back from the cache with the buttons switched off: pageshow switches them on again.
(function () {
  "use strict";

  function buttonsOf(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]')
    );
    var outside = form.id
      ? Array.prototype.slice.call(
          document.querySelectorAll('[form="' + form.id + '"][type="submit"]')
        )
      : [];
    return inside.concat(outside);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    // Switched off after this tick: the clicked button's name and value still go along.
    window.setTimeout(function () {
      buttonsOf(form).forEach(function (button) {
        button.disabled = true;
        button.setAttribute("data-once-disabled", "1");
      });
    }, 0);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
    });
    document.querySelectorAll("[data-once-disabled]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-once-disabled");
    });
  });
})();
