// Mounts Mijn Burgerprofiel's global header (v5 widget) and tells it where to log in, out and switch
// capacity. The widget's loader script (widgets.vlaanderen.be/api/v2/widget/<id>/entry) comes first.
(function () {
  "use strict";
  var element = document.getElementById("burgerprofiel-header");
  var client = window.globalHeaderClient;
  if (!element || !client || typeof client.mount !== "function") return;
  Promise.resolve(client.mount(element)).then(function () {
    var menu = client.accessMenu;
    if (!menu || typeof menu.setProfile !== "function") return;
    menu.setProfile({
      active: element.getAttribute("data-active") === "true",
      loginUrl: element.getAttribute("data-login-url"),
      logoutUrl: element.getAttribute("data-logout-url"),
      switchCapacityUrl: element.getAttribute("data-switch-capacity-url"),
    });
  });
})();
