/* The wall display: a clock, the time of the last update, and cards that always fit the screen. */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const clock = document.getElementById("clock");
  const lastUpdate = document.getElementById("last-update");
  const timeFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
  const secondsFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

  function density(count) {
    if (count <= 8) return "roomy";
    if (count <= 16) return "compact";
    if (count <= 30) return "dense";
    return "packed";
  }

  // Columns grow denser as they fill; then the type shrinks step by step until nothing overflows.
  function fit() {
    for (const column of board.querySelectorAll(".column")) {
      const list = column.querySelector(".cards");
      const count = list.querySelectorAll(".card").length;
      list.dataset.density = density(count);
      let scale = 1;
      list.style.setProperty("--scale", scale);
      while (list.scrollHeight > list.clientHeight + 1 && scale > 0.35) {
        scale -= 0.05;
        list.style.setProperty("--scale", scale.toFixed(2));
      }
    }
  }

  function tick() { clock.textContent = timeFormat.format(new Date()); }

  window.Wallchart.onChange(function () {
    lastUpdate.textContent = secondsFormat.format(new Date());
    fit();
  });
  window.addEventListener("resize", fit);
  tick();
  setInterval(tick, 1000);
  fit();
})();
