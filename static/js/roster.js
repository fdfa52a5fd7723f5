// The roster's small helpers, on top of pages that work without JavaScript:
// "Kopieer tekst" copies the open places to share (the text also stands, selectable, in a
// read-only text field), and a gap's panel that htmx put in place can be closed again.
(function () {
  "use strict";

  function showCopyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copied="' + button.getAttribute("data-copy") + '"]');
    if (!field) {
      return;
    }
    navigator.clipboard.writeText(field.value).then(
      function () {
        if (status) {
          status.textContent = button.getAttribute("data-done") || "Gekopieerd.";
        }
      },
      function () {
        field.select();
        if (status) {
          status.textContent = button.getAttribute("data-failed") || "Selecteer de tekst en kopieer hem zelf.";
        }
      }
    );
  });

  document.addEventListener("DOMContentLoaded", function () {
    showCopyButtons(document);
  });
  // Panels htmx puts in place (a gap's suggestions) bring their own copy buttons.
  document.addEventListener("htmx:afterSettle", function (event) {
    showCopyButtons(event.target);
  });
})();
