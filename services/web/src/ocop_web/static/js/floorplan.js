// The floor plan: a booth on the drawing opens its panel beside the plan without reloading
// (htmx), keeping the address. Without this script every booth is a plain link to the same
// page with the panel open. (htmx does not cancel an SVG link's navigation itself.)
(function () {
  "use strict";

  function panelOf(link) {
    var id = link.getAttribute("data-panel");
    return id ? document.getElementById(id) : null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.ocop-booth[data-panel]");
    if (!link || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    var panel = panelOf(link);
    if (!panel) {
      return;
    }
    event.preventDefault();
    var href = link.getAttribute("href");
    window.htmx.ajax("GET", href, { target: "#" + panel.id, swap: "innerHTML" }).then(function () {
      history.pushState({ ocopPanel: true }, "", href);
      document.querySelectorAll("a.ocop-booth--selected").forEach(function (other) {
        other.classList.remove("ocop-booth--selected");
      });
      link.classList.add("ocop-booth--selected");
    });
  });

  // Back and forward between booths: the page as the address says.
  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.ocopPanel) {
      window.location.reload();
    }
  });

  // A panel swapped in takes focus (its error summary does, if it has one: app.js).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "booth-panel" && !target.querySelector('[data-module="error-summary"]')) {
      var title = target.querySelector("h2");
      if (title) {
        title.setAttribute("tabindex", "-1");
        title.focus();
      }
    }
  });
})();
