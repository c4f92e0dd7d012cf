// Mijn Burgerprofiel's embed SDK (@govflanders/mbp-embed-sdk) for the PTR-pas (eloket/embed/base.html):
// when the page is framed, connect with our client id and tell Mijn Burgerprofiel the page's title and
// that it has loaded. The SDK is a global `window.MbpEmbedSdk` or the module at data-sdk-url
// (ELOKET_MBP_EMBED_SDK_URL). Without client id, SDK or frame this does nothing: the page works alone.
// Interface as in the SDK's public code; to confirm at onboarding (docs/login.md).
(function () {
  "use strict";
  var element = document.querySelector("[data-mbp-embed]");
  if (!element) return;
  var framed;
  try {
    framed = window.self !== window.top;
  } catch (error) {
    framed = true; // a cross-origin parent may not even be compared
  }
  var clientId = element.getAttribute("data-client-id") || "";
  var sdkUrl = element.getAttribute("data-sdk-url") || "";
  if (!framed || !clientId) return;

  function factoryOf(sdk) {
    if (!sdk) return null;
    if (typeof sdk.createMbpEmbedClient === "function") return sdk.createMbpEmbedClient;
    if (sdk.default && typeof sdk.default.createMbpEmbedClient === "function") {
      return sdk.default.createMbpEmbedClient;
    }
    return null;
  }

  function loadSdk() {
    if (factoryOf(window.MbpEmbedSdk)) return Promise.resolve(window.MbpEmbedSdk);
    if (!sdkUrl) return Promise.resolve(null);
    return import(sdkUrl); // its origin is in this page's script-src (eloket.embed)
  }

  var allowedHosts = (element.getAttribute("data-allowed-hosts") || "").split(/\s+/).filter(Boolean);
  var title = element.getAttribute("data-title") || document.title;
  loadSdk()
    .then(function (sdk) {
      var create = factoryOf(sdk);
      if (!create) return;
      var client = create(clientId, { allowedHosts: allowedHosts });
      return Promise.resolve(client.connect()).then(function () {
        client.ui.setTitle(title);
        client.ui.setStatusLoading(false);
      });
    })
    .catch(function (error) {
      // Without Mijn Burgerprofiel's title and loading state the page still shows everything.
      if (window.console) window.console.warn("mbp-embed: " + (error && error.message));
    });
})();
