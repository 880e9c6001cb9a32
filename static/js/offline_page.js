/* The offline page: how many changes wait on this device (static/js/outbox.js keeps them), and a
 * reload of its own once the connection returns. */
(function () {
  "use strict";

  const line = document.getElementById("offline-pending");
  let count = 0;
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key && key.startsWith("wallchart.outbox.")) {
        count += JSON.parse(localStorage.getItem(key) || "[]").length;
      }
    }
  } catch (ignored) { /* storage refused: nothing to say */ }
  if (count) {
    line.textContent = line.dataset.text.replace("{count}", count);
    line.hidden = false;
  }
  // Back online: load the page again. The browser may say so a moment before its requests get
  // through (or the server itself is what cannot be reached): while it says it is online, the
  // page tries again every few seconds.
  window.addEventListener("online", function () { window.location.reload(); });
  if (navigator.onLine) setTimeout(function () { window.location.reload(); }, 3000);
})();
