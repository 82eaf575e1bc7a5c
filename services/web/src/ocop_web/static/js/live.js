// The live dashboard (pages/dashboard.py): when the server says a fair's sales changed (a
// server-sent event "changed", fed by the sales topic), fetch the figures again through our
// own server (the viewer's session; every rule stays in sales) and put them in place.
// Without this script the page shows the figures as of its loading, with a refresh link.
(function () {
  "use strict";

  var container = document.querySelector("[data-live-events]");
  var status = document.querySelector("[data-live-status]");
  if (!container || !window.EventSource || !window.fetch) {
    return;
  }
  var figuresUrl = container.getAttribute("data-live-figures");
  var inFlight = false;
  var again = false;
  var opened = false;

  function say(text) {
    if (status && text) {
      status.textContent = text;
    }
  }

  function clock() {
    var now = new Date();
    return [now.getHours(), now.getMinutes(), now.getSeconds()]
      .map(function (n) { return (n < 10 ? "0" : "") + n; })
      .join(":");
  }

  function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    fetch(figuresUrl, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        var signIn = response.headers.get("HX-Redirect");
        if (signIn) {
          window.location.assign(signIn);
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          container.innerHTML = html;
          container.setAttribute("data-updated", String(Date.now()));
          say(status.getAttribute("data-label-updated") + " " + clock());
        }
      })
      .catch(function () { /* the next signal or reconnection tries again */ })
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource(container.getAttribute("data-live-events"));
  source.addEventListener("changed", refresh);
  source.addEventListener("open", function () {
    if (opened) {
      refresh(); // reconnected: a change may have come meanwhile
    } else {
      say(status.getAttribute("data-label-live"));
    }
    opened = true;
    container.setAttribute("data-live", "on");
  });
  source.addEventListener("error", function () {
    container.setAttribute("data-live", "off");
    if (source.readyState !== EventSource.CLOSED) {
      say(status.getAttribute("data-label-lost"));
    }
  });
})();
