// The fair form's kinds (pages/fair_kinds.py): GOV.UK's conditional radios. Each kind's own
// questions sit under its radio; this hides those of the kinds not chosen. Without it every
// kind's questions are shown and the server reads only the chosen kind's. With it, the
// retailer's stores load when it is chosen (htmx), so "Show its stores" is not needed.
(function () {
  "use strict";

  function sync(group) {
    group.querySelectorAll('input[type="radio"][data-aria-controls]').forEach(function (input) {
      var target = document.getElementById(input.getAttribute("data-aria-controls"));
      if (!target) {
        return;
      }
      input.setAttribute("aria-controls", target.id);  // no aria-expanded: not allowed on a radio
      target.classList.toggle("ocop-radios__conditional--hidden", !input.checked);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-module="ocop-conditional-radios"]').forEach(function (group) {
      group.addEventListener("change", function (event) {
        if (event.target.type === "radio") {
          sync(group);
        }
      });
      sync(group);
    });
    document.querySelectorAll("[data-without-js]").forEach(function (element) {
      element.hidden = true;
    });
  });
})();
