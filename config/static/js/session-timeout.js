// Warns a citizen before the session ends for idleness, and lets them stay logged in.
// The server decides (eloket.auth.middleware.IdleTimeoutMiddleware); this only asks it how long is left
// (GET, which does not count as activity) and tells it when the citizen chooses to stay (POST).
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle"), 10);
  var warning = parseInt(body.getAttribute("data-session-warning"), 10);
  var statusUrl = body.getAttribute("data-session-status");
  var expiredUrl = body.getAttribute("data-session-expired");
  var box = document.getElementById("session-warning");
  var keep = document.getElementById("session-keep");
  if (!idle || !statusUrl || !box || !keep) return;
  var timer = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    if (secondsLeft <= 0) {
      window.location.assign(expiredUrl + "?next=" + encodeURIComponent(window.location.pathname));
      return;
    }
    if (secondsLeft <= warning) {
      if (box.hidden) {
        box.hidden = false;
        keep.focus();
      }
      timer = window.setTimeout(check, secondsLeft * 1000 + 1000);
    } else {
      box.hidden = true;
      timer = window.setTimeout(check, (secondsLeft - warning) * 1000);
    }
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method === "POST") options.headers["X-CSRFToken"] = csrfToken();
    return window.fetch(statusUrl, options).then(function (response) { return response.json(); });
  }

  // Another tab may have kept the session alive: ask before warning or leaving.
  function check() {
    ask("GET").then(function (state) {
      schedule(state.active ? state.seconds_left : 0);
    }).catch(function () { timer = window.setTimeout(check, 30000); });
  }

  keep.addEventListener("click", function () {
    ask("POST").then(function (state) {
      box.hidden = true;
      schedule(state.active ? state.seconds_left : 0);
    });
  });

  schedule(idle);
})();
