// The exhibitor portal's one enhancement: a hold's countdown. Without JavaScript the page
// shows the deadline as a time; with it, the minutes and seconds left, once a second.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick(clocks) {
    var now = Date.now();
    clocks.forEach(function (clock) {
      var left = Math.max(0, Math.floor((clock.deadline - now) / 1000));
      var text = left > 0
        ? clock.template.replace("%(minutes)s", String(Math.floor(left / 60))).replace("%(seconds)s", pad(left % 60))
        : clock.over;
      // Screen readers hear it once a minute (and at the end), not every second.
      var shown = "(" + text + ")";
      if (clock.output.textContent !== shown) {
        clock.output.setAttribute("aria-live", left % 60 === 0 ? "polite" : "off");
        clock.output.textContent = shown;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clocks = [];
    document.querySelectorAll("time[data-countdown]").forEach(function (time) {
      var deadline = Date.parse(time.getAttribute("datetime"));
      var output = time.parentNode.querySelector("[data-countdown-left]");
      if (!isNaN(deadline) && output) {
        clocks.push({ deadline: deadline, output: output, template: time.dataset.left, over: time.dataset.over });
      }
    });
    if (clocks.length) {
      tick(clocks);
      setInterval(function () { tick(clocks); }, 1000);
    }
  });
})();
