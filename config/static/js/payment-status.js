// The payment status page while a payment is unfinished: ask the server every few seconds and, once
// the status changed, swap in the new status text (an aria-live region, so it is announced). The
// page also works without this script: it has a "Status opnieuw bekijken" link.
(function () {
  "use strict";
  var panel = document.getElementById("payment-state");
  if (!panel || !panel.dataset.pollUrl) { return; }
  var known = panel.dataset.status;
  var delay = 2000;
  var deadline = Date.now() + 10 * 60 * 1000;

  function swap() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var main = fresh.querySelector("main");
        if (main) { document.querySelector("main").innerHTML = main.innerHTML; }
      });
  }

  function poll() {
    if (Date.now() > deadline) { return; }
    fetch(panel.dataset.pollUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.status !== known) {
          known = data.status;
          return swap().then(function () { if (!data.finished) { schedule(); } });
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    delay = Math.min(delay * 1.3, 10000);
    window.setTimeout(poll, delay);
  }

  schedule();
}());
