/* On every page: the service worker for a signed-in person (the installable app, see
 * templates/shell/sw.js), and the end of what was kept for a dead connection at sign-out.
 *
 * Changes made on the board without a connection wait in localStorage under
 * "wallchart.outbox.<username>" (static/js/outbox.js). Signing out deletes them: the sign-out
 * asks first when some wait, and the sign-in page the sign-out leads to removes them. */
(function () {
  "use strict";

  const script = document.currentScript;
  const said = script ? script.dataset : {};
  const PREFIX = "wallchart.outbox.";

  function waiting(user) {
    try { return JSON.parse(localStorage.getItem(PREFIX + user) || "[]").length; }
    catch (ignored) { return 0; }
  }

  if (said.clear) {
    try { localStorage.removeItem(PREFIX + said.clear); } catch (ignored) { /* refused */ }
  }

  if (said.worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(said.worker, { scope: said.scope })
      .catch(function () { /* no worker (an insecure origin): the site works without */ });
  }

  if (said.user && said.logout) {
    document.addEventListener("submit", function (event) {
      const form = event.target;
      if (new URL(form.action, window.location.href).pathname !== said.logout) return;
      const count = waiting(said.user);
      if (count && !window.confirm(said.textSignOut.replace("{count}", count))) {
        event.preventDefault();
      }
    }, true);
  }
})();
