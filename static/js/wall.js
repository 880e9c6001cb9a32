/* The wall display: a clock, the time of the last update, cards that always fit the screen and
 * slide to their new place, the header and the ticker kept live, views that take turns, and a
 * reload when the server was upgraded or the display's settings changed. */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const area = document.getElementById("wall-views");
  const clock = document.getElementById("clock");
  const dateLine = document.getElementById("today");
  const lastUpdate = document.getElementById("last-update");
  const live = window.Wallchart;
  const timeFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  const dateFormat = new Intl.DateTimeFormat(area.dataset.lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", month: "long", day: "numeric", weekday: "long" });
  const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const SLIDE_MS = 600;

  // --- fitting the columns to the screen ------------------------------------------------------

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
    if (board.hidden) return;
    for (const list of board.querySelectorAll(".column .cards")) fitColumn(list);
  }

  // --- moves slide (FLIP: first place, last place, invert, play) --------------------------------

  let places = new Map();

  function measure() {
    const found = new Map();
    for (const card of board.querySelectorAll(".card")) {
      found.set(card.dataset.projectId, card.getBoundingClientRect());
    }
    return found;
  }

  // Every card that changed place slides from where it stood to where it stands now. While
  // cards fly the columns stop clipping, so a card crossing columns stays in sight.
  function slide() {
    const now = measure();
    const before = places;
    places = now;
    if (board.hidden || reducedMotion.matches) return;
    let flying = 0;
    for (const card of board.querySelectorAll(".card")) {
      const first = before.get(card.dataset.projectId);
      const last = now.get(card.dataset.projectId);
      if (!first) continue;
      const dx = first.left - last.left, dy = first.top - last.top;
      if (Math.abs(dx) < 1 && Math.abs(dy) < 1) continue;
      flying += 1;
      card.classList.add("flying");
      card.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "none" }],
        { duration: SLIDE_MS, easing: "cubic-bezier(.2, .7, .2, 1)" }).finished
        .catch(function () {})
        .then(function () {
          card.classList.remove("flying");
          flying -= 1;
          if (flying === 0) board.classList.remove("in-flight");
        });
    }
    if (flying) board.classList.add("in-flight");
  }

  // --- cards moved today --------------------------------------------------------------------

  let day = dayFormat.format(new Date());

  function markToday() {
    for (const card of board.querySelectorAll(".card")) {
      const since = card.querySelector("[data-since]");
      const today = since !== null && since.dataset.since === day;
      card.classList.toggle("moved-today", today);
      let mark = card.querySelector(".today-mark");
      if (today && !mark) {
        mark = document.createElement("span");
        mark.className = "today-mark";
        mark.textContent = area.dataset.todayLabel;
        card.prepend(mark);
      } else if (!today && mark) {
        mark.remove();
      }
    }
  }

  // --- the header and the ticker --------------------------------------------------------------

  // Swap in a fresher header or ticker; a late answer never replaces a newer one.
  function swapIn(html, id) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.getElementById(id) || template.content.firstElementChild;
    const old = document.getElementById(id);
    if (!fresh || !old || Number(fresh.dataset.revision) < Number(old.dataset.revision)) return;
    old.replaceWith(fresh);
  }

  async function refreshSummary() {
    try {
      const response = await fetch(area.dataset.summaryUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      swapIn(html, "wall-indicators");
      swapIn(html, "ticker");
    } catch (error) { /* offline: the next hello tries again */ }
  }

  // --- views that take turns ------------------------------------------------------------------

  const order = area.dataset.views.split(",");
  const sections = {};
  for (const section of area.querySelectorAll(".wall-view")) sections[section.dataset.wallView] = section;
  let shown = 0;
  let reloadTimer = null;

  function loadView(section) {
    if (section.dataset.url && window.htmx) {
      htmx.ajax("GET", section.dataset.url, { target: section, swap: "innerHTML" });
    }
  }

  function show(index) {
    shown = index;
    order.forEach(function (name, i) { sections[name].hidden = i !== index; });
    if (order[index] === "board") {
      fit();
      markToday();
      places = measure();
    } else {
      loadView(sections[order[index]]);
    }
  }

  // A change while another view is up: that view is fetched again (once for a burst).
  function refreshShownView() {
    if (order[shown] === "board") return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(function () { loadView(sections[order[shown]]); }, 1000);
  }

  // --- wiring ---------------------------------------------------------------------------------

  function tick() {
    const now = new Date();
    clock.textContent = timeFormat.format(now);
    dateLine.textContent = dateFormat.format(now);
    const today = dayFormat.format(now);
    if (today !== day) {   // midnight in Shanghai: yesterday's moves lose their mark
      day = today;
      markToday();
      refreshSummary();
    }
  }

  live.onChange(function (reason) {
    lastUpdate.textContent = timeFormat.format(new Date());
    markToday();
    fit();
    slide();
    refreshShownView();
    // Columns fetched again (a gap, or a heartbeat ahead of them): the header and ticker missed
    // the same changes.
    if (reason === "resync") refreshSummary();
  });
  live.socket.on("indicators", function (message) { swapIn(message.html, "wall-indicators"); });
  live.socket.on("ticker", function (message) { swapIn(message.html, "ticker"); });
  let hellos = 0;
  live.socket.on("hello", function (hello) {
    // Upgraded server, or this display given another profile or views: start afresh.
    if (hello.build !== area.dataset.build || hello.display !== area.dataset.settings) {
      window.location.reload();
      return;
    }
    hellos += 1;
    if (hellos > 1) refreshSummary();   // back after a drop: what changed meanwhile
  });
  window.addEventListener("resize", function () { fit(); places = measure(); });

  tick();
  setInterval(tick, 1000);
  show(0);
  if (order.length > 1) {
    setInterval(function () { show((shown + 1) % order.length); },
      Number(area.dataset.rotateSeconds) * 1000);
  }
})();
