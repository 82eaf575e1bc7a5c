// The one script of ours (no inline script anywhere: the Content-Security-Policy forbids it).
// Everything works without it; it only adds what the GOV.UK patterns do with JavaScript.
(function () {
  "use strict";

  // The error summary takes focus when a page (or an htmx swap) shows one, so a screen
  // reader announces it and keyboard users start from it.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector('[data-module="error-summary"]');
    if (summary) {
      summary.focus();
    }
  }

  // A link in the summary moves focus to its field (and scrolls its label into view).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".ocop-error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + input.id + "']");
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });

  // A second click on a submit button within a second is ignored (GOV.UK's
  // data-prevent-double-click); the services' idempotency keys cover the rest.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-prevent-double-click]");
    if (!button) {
      return;
    }
    if (button.dataset.clicked) {
      event.preventDefault();
      return;
    }
    button.dataset.clicked = "1";
    setTimeout(function () { delete button.dataset.clicked; }, 1000);
  });

  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });
})();
