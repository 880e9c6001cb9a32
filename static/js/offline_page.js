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
  window.addEventListener("online", function () { window.location.reload(); });
})();
