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

  // From the roomiest to the densest; the number is how large a title reads in that layout.
  const LAYOUTS = [["roomy", 1.15], ["compact", 1.15], ["dense", 1], ["packed", 1]];
  const NAME_CHARACTERS = 6;

  function fits(list) {
    if (list.scrollHeight > list.clientHeight || list.scrollWidth > list.clientWidth) return false;
    for (const meta of list.querySelectorAll(".card-meta")) {
      if (meta.scrollWidth > meta.clientWidth) return false;   // an amount would be cut
    }
    return true;
  }

  // The largest type scale (at most 1) at which the column shows every card without scrolling.
  function largestScale(list) {
    list.style.setProperty("--scale", "1");
    if (fits(list)) return 1;
    let low = 0.3, high = 1;
    for (let step = 0; step < 6; step += 1) {
      const middle = (low + high) / 2;
      list.style.setProperty("--scale", middle.toFixed(3));
      if (fits(list)) low = middle; else high = middle;
    }
    return low;
  }

  // How many characters of a project's name the narrowest title in the column shows.
  function charactersShown(list) {
    let fewest = Infinity;
    for (const title of list.querySelectorAll(".card-title")) {
      const size = parseFloat(getComputedStyle(title).fontSize);
      fewest = Math.min(fewest, title.clientWidth / size);
    }
    return fewest;
  }

  // The layout whose names read best wins (the roomier one on a tie): large type, but a name
  // cut to a few characters tells nobody anything, so below six characters the score drops.
  function fitColumn(list) {
    let best = null;
    for (const [layout, titleSize] of LAYOUTS) {
      list.dataset.density = layout;
      const scale = largestScale(list);
      list.style.setProperty("--scale", scale.toFixed(3));
      const legible = Math.min(1, charactersShown(list) / NAME_CHARACTERS);
      const candidate = { layout: layout, scale: scale, score: scale * titleSize * legible };
      if (!best || candidate.score > best.score + 0.01) best = candidate;
    }
    list.dataset.density = best.layout;
    list.style.setProperty("--scale", best.scale.toFixed(3));
  }

  function fit() {
    for (const list of board.querySelectorAll(".column .cards")) fitColumn(list);
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
