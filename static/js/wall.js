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
  //
  // Every card of a column has one size, set by the column's type size (--f) and layout, so a
  // column's height is arithmetic: rows x card height + gaps. Fitting reads no layout: the
  // columns' sizes come from a ResizeObserver, the names' widths are estimated from their
  // characters. A change fits only the columns it touched, at most once an animation frame;
  // a column with more cards than fit at the smallest legible size shows them a page at a time.

  // The legibility bar (tests/browser/test_wall_legibility.py holds the wall to it in Chromium):
  // no text under 1/60 of the screen's height (18 px at 1080p, 36 px at 4K); a name takes two
  // lines before an ellipsis; the type is the largest at which a column's cards (or a page of
  // them) fit, the same in every column while every column fits; a column that pages is full.
  const MIN_TEXT_SHARE = 1 / 60;
  const MAX_TYPE_SHARE = 0.032;   // the largest type size: 3.2 % of the screen's height
  const GAP_EM = 0.35;            // between two cards, in the cards' type size
  const PAD_EM = 1.1;             // a card's padding left and right together
  const MIN_LINE_EM = 6;          // a line of a card holds at least six characters
  const PAGE_MS = 12000;          // a page of a crowded column stays this long
  // From the roomiest to the densest: what a card shows (wall.css: full, compact, grid), cards
  // a row, the lines a name may take, the lines of details under it, and how much a roomier
  // layout is preferred at the same type size. A card's height follows, in its type size: its
  // padding, the name's lines, the detail lines (at .88) and the gaps between them.
  const LINE_EM = 1.2, DETAIL_EM = 0.88 * 1.2 + 0.15, CARD_PAD_EM = 0.74;
  const LAYOUTS = [];
  for (const [css, perRow, details, bonus] of [["full", 1, 3, 1.3], ["compact", 1, 1, 1.08], ["grid", 2, 1, 1]]) {
    for (const lines of [2, 3]) {
      LAYOUTS.push({ name: css, perRow: perRow, lines: lines, smallest: 0.88, bonus: bonus,
        cardEm: CARD_PAD_EM + lines * LINE_EM + details * DETAIL_EM + 0.05 });
    }
  }
  const DENSEST = LAYOUTS[LAYOUTS.length - 2];   // two a row, names in two lines

  // Per stage: the list's content box (from the ResizeObserver), what was computed for it and
  // what was written to it, the page shown and when it turns.
  const columns = {};
  function state(stage) {
    return columns[stage] || (columns[stage] = { width: 0, height: 0, page: 0, turnAt: 0,
      written: null, own: null });
  }

  // How wide a name sets, in its type size: CJK and full-width characters are 1, the rest
  // about half. Kept on the card element (a changed card is a new element).
  const nameWidthOf = new WeakMap();
  function nameEm(card) {
    let width = nameWidthOf.get(card);
    if (width === undefined) {
      const title = card.querySelector(".card-title");
      width = 0;
      for (const character of title ? title.textContent.trim() : "") {
        width += character.charCodeAt(0) > 0x2e7f ? 1 : character === " " ? 0.3 : 0.58;
      }
      nameWidthOf.set(card, width);
    }
    return width;
  }

  function shownCards(list) {
    const cards = [];
    for (const card of list.children) {
      if (card.classList.contains("card") && !card.hidden) cards.push(card);
    }
    return cards;
  }

  // A name set in ``lines`` lines of ``size`` type fits if it is no wider than this (in its
  // type size): a line breaks a little before its end.
  function nameRoom(layout, size, box) {
    const cell = (box.width - (layout.perRow - 1) * GAP_EM * size) / layout.perRow;
    return layout.lines * (cell / size - PAD_EM - 0.75);
  }

  // The type size at which a line holds ``lineEm`` (in the type size).
  function sizeFor(layout, lineEm, box) {
    return box.width / (layout.perRow * (lineEm + PAD_EM) + (layout.perRow - 1) * GAP_EM);
  }

  // The share of the names (sorted widths) that fit whole.
  function wholeShare(layout, size, box, names) {
    if (!names.length) return 1;
    const room = nameRoom(layout, size, box) + 0.01;
    let low = 0, high = names.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (names[middle] <= room) low = middle + 1; else high = middle;
    }
    return low / names.length;
  }

  // The best type size for ``count`` cards in ``layout``: as large as the column's height and
  // width allow, or smaller where that shows more names whole (a name cut short reads half as
  // well as a whole one). null below the smallest legible size.
  function typeSize(layout, count, box, names, floor) {
    const rows = Math.max(1, Math.ceil(count / layout.perRow));
    const limits = {
      height: box.height / (rows * layout.cardEm + (rows - 1) * GAP_EM),
      largest: window.innerHeight * MAX_TYPE_SHARE,
      width: sizeFor(layout, MIN_LINE_EM, box),
    };
    let limit = "height";
    for (const key in limits) if (limits[key] < limits[limit]) limit = key;
    const top = limits[limit];
    if (top < floor - 0.01) return null;
    const rate = function (size) { return size * (0.5 + 0.5 * wholeShare(layout, size, box, names)); };
    let best = { size: top, limit: limit, score: rate(top) };
    let last = -1;
    for (const width of names) {
      if (width - last < 0.25) continue;   // names of about the same width: one try
      last = width;
      const size = sizeFor(layout, width / layout.lines + 0.75, box);
      if (size < floor || size >= top) continue;
      const score = rate(size);
      if (score > best.score) best = { size: size, limit: "names", score: score };
    }
    return best;
  }

  // The best layout for a column of ``count`` cards: the best type, a roomier layout on a near
  // tie; null if even the densest is under the smallest legible size.
  function bestLayout(count, box, names, only) {
    let best = null;
    for (const layout of only ? [only] : LAYOUTS) {
      const floor = window.innerHeight * MIN_TEXT_SHARE / layout.smallest;
      const type = typeSize(layout, count, box, names, floor);
      if (!type) continue;
      const score = type.score * layout.bonus;
      if (!best || score > best.score) {
        best = { layout: layout, size: type.size, limit: type.limit, score: score,
          perPage: Math.max(1, count) };
      }
    }
    return best;
  }

  // Too many cards for the densest layout: pages, as few as the smallest legible size allows,
  // of the same number of cards, at the best type for such a page; where that type is smaller
  // than the page allows (to show the names whole), as many cards a page as fill the column.
  // How many rows of cards of ``size`` type a column holds.
  function rowsAt(layout, size, box) {
    return Math.max(1, Math.floor((box.height + GAP_EM * size) / ((layout.cardEm + GAP_EM) * size)));
  }

  function paged(count, box, names) {
    const layout = DENSEST;
    const floor = window.innerHeight * MIN_TEXT_SHARE / layout.smallest;
    const pages = Math.ceil(count / (rowsAt(layout, floor, box) * layout.perRow));
    let perPage = Math.ceil(count / pages);
    let type = typeSize(layout, perPage, box, names, floor);
    if (type && type.limit !== "height") {
      perPage = Math.min(count, rowsAt(layout, type.size, box) * layout.perRow);
    }
    return { layout: layout, size: type ? Math.max(type.size, floor) : floor,
      limit: type ? type.limit : "height", perPage: perPage };
  }

  function nameWidths(cards) {
    return cards.map(nameEm).sort(function (a, b) { return a - b; });
  }

  // Each column's own best, recomputed for the columns that changed.
  function ownFit(stage, list) {
    const column = state(stage);
    const cards = shownCards(list);
    const names = nameWidths(cards);
    const box = { width: column.width, height: column.height };
    const own = bestLayout(cards.length, box, names) || paged(cards.length, box, names);
    own.count = cards.length;
    own.names = names;
    column.own = own;
    return own;
  }

  // What each column shows: while every column fits, one layout (the densest any column needs)
  // and one type size (the largest at which every column fits in it); once one pages, each
  // column its own best, so none is left half empty.
  function plan(stages) {
    const owns = {};
    let densest = 0;
    for (const stage of stages) {
      owns[stage] = state(stage).own;
      densest = Math.max(densest, LAYOUTS.indexOf(owns[stage].layout));
    }
    if (stages.some(function (stage) { return owns[stage].perPage < owns[stage].count; })) {
      return ordered(stages, owns);
    }
    const layout = LAYOUTS[densest];
    const plans = {};
    let size = Infinity;
    for (const stage of stages) {
      const column = state(stage);
      const fit = bestLayout(column.own.count, column, column.own.names, layout);
      if (!fit) return ordered(stages, owns);
      plans[stage] = fit;
      size = Math.min(size, fit.size);
    }
    for (const stage of stages) {
      if (plans[stage].size > size + 0.01) plans[stage].limit = "common";
      plans[stage].size = size;
    }
    return plans;
  }

  // Each column its own best, but never in larger type than a column with fewer cards: a
  // column that pages takes as many cards a page as fill it at that type.
  function ordered(stages, owns) {
    const plans = {};
    const byCount = stages.slice().sort(function (a, b) { return owns[a].count - owns[b].count; });
    let cap = Infinity, capBelow = Infinity, lastCount = -1;
    for (const stage of byCount) {
      const own = owns[stage];
      if (own.count !== lastCount) { capBelow = cap; lastCount = own.count; }
      const plan = plans[stage] = Object.assign({}, own);
      if (plan.size > capBelow) {
        plan.size = capBelow;
        plan.limit = "order";
        if (own.perPage < own.count) {
          plan.perPage = Math.min(own.count, rowsAt(own.layout, plan.size, state(stage)) * own.layout.perRow);
        }
      }
      cap = Math.min(cap, plan.size);
    }
    return plans;
  }

  // Write a column's layout and show its page: only what differs from what it shows.
  function write(stage, list, fit) {
    const column = state(stage);
    const cards = shownCards(list);
    fit.size = Math.floor(fit.size * 100) / 100;
    const pages = Math.max(1, Math.ceil(cards.length / fit.perPage));
    if (column.arrived) {
      const index = cards.indexOf(column.arrived);
      column.arrived = null;
      if (index >= 0 && pages > 1) {
        column.page = Math.floor(index / fit.perPage);
        column.turnAt = Date.now() + PAGE_MS;
      }
    }
    if (column.page >= pages) column.page = 0;
    const key = [fit.layout.name, fit.layout.lines, fit.size.toFixed(2), fit.perPage, column.page, pages].join();
    const same = column.written === key && list.dataset.layout;
    column.written = key;
    if (!same) {
      list.dataset.layout = fit.layout.name;
      list.dataset.limit = fit.limit;
      list.style.setProperty("--f", fit.size.toFixed(2) + "px");
      list.style.setProperty("--card-em", fit.layout.cardEm.toFixed(3));
      list.style.setProperty("--lines", String(fit.layout.lines));
      list.style.setProperty("--per-row", String(fit.layout.perRow));
      pageMark(list, pages > 1 ? (column.page + 1) + "/" + pages : "");
    }
    const first = column.page * fit.perPage;
    cards.forEach(function (card, i) {
      card.classList.toggle("off-page", i < first || i >= first + fit.perPage);
    });
    column.pages = pages;
    column.fit = fit;
  }

  function pageMark(list, text) {
    const head = list.parentElement.querySelector(".column-head");
    let mark = head && head.querySelector(".column-page");
    if (!mark && text && head) {
      mark = document.createElement("span");
      mark.className = "column-page";
      mark.setAttribute("aria-hidden", "true");
      const warnings = head.querySelector(".column-warnings");
      head.insertBefore(mark, warnings ? warnings.nextSibling : null);
    }
    if (mark) { mark.textContent = text; mark.hidden = !text; }
  }

  // The columns on the board, by stage.
  function lists() {
    const found = {};
    for (const list of board.querySelectorAll(".column .cards")) found[list.parentElement.dataset.stage] = list;
    return found;
  }

  // --- one frame of work: fit what changed, then let the moved cards slide ----------------------

  const dirty = new Set();     // stages whose cards changed
  const sliding = new Set();   // stages whose cards slide to their new places
  let frameRequested = 0;

  function schedule(stages, slide) {
    for (const stage of stages) {
      dirty.add(stage);
      if (slide) sliding.add(stage);
    }
    if (!frameRequested) frameRequested = requestAnimationFrame(frame);
  }

  function frame() {
    if (frameRequested) cancelAnimationFrame(frameRequested);
    frameRequested = 0;
    if (board.hidden) return;
    const all = lists();
    const ready = {};
    for (const stage in all) {
      const column = state(stage);
      if (column.width > 0 && column.height > 0) ready[stage] = all[stage];
      if (dirty.has(stage) || !column.own) ownFit(stage, all[stage]);
    }
    if (!Object.keys(ready).length) return;
    const plans = plan(Object.keys(ready));
    const written = [];
    for (const stage in ready) {
      const before = state(stage).written;
      write(stage, ready[stage], plans[stage]);
      if (dirty.has(stage) || state(stage).written !== before) written.push(stage);
    }
    const slid = Array.from(sliding);
    dirty.clear();
    sliding.clear();
    slide(written, slid, all);
  }

  const resizes = new ResizeObserver(function (entries) {
    for (const entry of entries) {
      const list = entry.target;
      const stage = list.parentElement && list.parentElement.dataset.stage;
      if (!stage) continue;
      const column = state(stage);
      column.width = entry.contentRect.width;
      column.height = entry.contentRect.height;
      // where its content box stands, for the cards' places (layout is up to date here)
      const box = list.getBoundingClientRect();
      column.left = box.left + entry.contentRect.left;
      column.top = box.top + entry.contentRect.top;
      dirty.add(stage);
    }
    // Already between layout and paint: fit now, so no frame shows the columns unfitted.
    frame();
  });

  function observeColumns() {
    resizes.disconnect();
    for (const list of board.querySelectorAll(".column .cards")) resizes.observe(list);
  }

  function fitAll() {
    schedule(Object.keys(lists()), false);
  }

  // The stages whose cards changed since the last look: their counts differ, or a card in them
  // was replaced.
  const counts = {};
  function touched(card) {
    const stages = new Set();
    const all = lists();
    for (const stage in all) {
      const count = all[stage].childElementCount;
      if (counts[stage] !== count) stages.add(stage);
      counts[stage] = count;
    }
    const column = card && card.closest(".column");
    if (column) stages.add(column.dataset.stage);
    return stages;
  }

  // A card that arrives in a column that pages: its page is shown, for a whole turn.
  function showPageOf(card) {
    const column = card && card.closest(".column");
    if (column) state(column.dataset.stage).arrived = card;
  }

  // The columns turn their pages in turn, not all in one frame.
  function turnPages() {
    if (board.hidden) return;
    const now = Date.now();
    const all = lists();
    const stages = Object.keys(all);
    for (const stage of stages) {
      const column = state(stage);
      if (!column.pages || column.pages < 2) continue;
      if (!column.turnAt) column.turnAt = now + PAGE_MS * (1 + stages.indexOf(stage) / stages.length);
      if (now < column.turnAt) continue;
      column.page = (column.page + 1) % column.pages;
      column.turnAt = now + PAGE_MS;
      const list = all[stage];
      schedule([stage], false);
      if (!reducedMotion.matches) list.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 500 });
    }
  }

  // --- moves slide (FLIP: first place, last place, invert, play) --------------------------------

  // Where each card on screen stood (by project) when its column was last written.
  const places = new Map();

  // The cards of the columns just written take their new places (one layout for all the
  // reads); in the columns a change touched, the moved card among them, they slide there from
  // where they stood. While they fly their columns stop clipping, so a card crossing columns
  // stays in sight.
  function slide(written, slid, all) {
    const moving = new Set(slid);
    const flights = [];
    for (const stage of written) {
      const column = state(stage);
      const fit = column.fit;
      const size = fit.size, gap = GAP_EM * size, perRow = fit.layout.perRow;
      const width = (column.width - (perRow - 1) * gap) / perRow;
      const height = fit.layout.cardEm * size;
      const first = column.page * fit.perPage;
      let i = 0;
      for (const card of all[stage].children) {
        const id = card.dataset.projectId;
        if (card.hidden) continue;
        const j = i - first;
        i += 1;
        if (j < 0 || j >= fit.perPage) { places.delete(id); continue; }
        // the card's place, by arithmetic: no layout is read
        const now = { left: column.left + (j % perRow) * (width + gap),
          top: column.top + Math.floor(j / perRow) * (height + gap) };
        const before = places.get(id);
        places.set(id, now);
        if (!before || !moving.has(stage)) continue;
        const dx = before.left - now.left, dy = before.top - now.top;
        if (Math.abs(dx) >= 1 || Math.abs(dy) >= 1) flights.push([card, dx, dy]);
      }
    }
    if (reducedMotion.matches) return;
    for (const [card, dx, dy] of flights) fly(card, dx, dy);
  }

  function fly(card, dx, dy) {
    const column = card.closest(".column");
    card.classList.add("flying");
    column.classList.add("in-flight");
    column.__flying = (column.__flying || 0) + 1;
    card.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: "none" }],
      { duration: SLIDE_MS, easing: "cubic-bezier(.2, .7, .2, 1)" }).finished
      .catch(function () {})
      .then(function () {
        card.classList.remove("flying");
        column.__flying -= 1;
        if (column.__flying === 0) column.classList.remove("in-flight");
      });
  }

  // --- cards moved today --------------------------------------------------------------------

  let day = dayFormat.format(new Date());

  function markToday(cards) {
    for (const card of cards || board.querySelectorAll(".card")) {
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
    if (id === "wall-indicators") keepChosenFigures(fresh);
    old.replaceWith(fresh);
  }

  // The live push carries every figure a header may show: keep this display's, in its order.
  function keepChosenFigures(header) {
    const chosen = (area.dataset.headerFigures || "").split(",").filter(Boolean);
    if (!chosen.length) return;
    const figures = {};
    for (const figure of header.querySelectorAll(".figure[data-indicator]")) {
      figures[figure.dataset.indicator] = figure;
      figure.remove();
    }
    for (const key of chosen) if (figures[key]) header.appendChild(figures[key]);
  }

  async function refreshSummary() {
    try {
      const response = await fetch(area.dataset.summaryUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      swapIn(html, "wall-indicators");
      swapIn(html, "ticker");
      // Meeting mode: the meeting put up (or taken down) while this wall was away.
      const template = document.createElement("template");
      template.innerHTML = html;
      const pane = template.content.getElementById("meeting-pane");
      if (pane) showMeeting(pane.hidden ? null : pane.innerHTML);
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
      markToday();
      fitAll();
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

  live.onChange(function (reason, card) {
    lastUpdate.textContent = timeFormat.format(new Date());
    if (reason === "resync") {
      // fresh columns: every card is new, and the lists are new elements to watch
      markToday();
      observeColumns();
      schedule(Object.keys(lists()), false);
    } else {
      if (card) markToday([card]);
      showPageOf(card);
      schedule(touched(card), true);
    }
    refreshShownView();
    // Columns fetched again (a gap, or a heartbeat ahead of them): the header and ticker missed
    // the same changes.
    if (reason === "resync") refreshSummary();
  });
  // A header or ticker pushed again as it was (no html: realtime/push.py): a wall that shows
  // the push before it keeps what it shows, at the new revision; one that loaded or fetched
  // in between, or missed a push, asks for the summary (once for both).
  let asking = null;
  function pushed(message, id) {
    if (message.html) {
      swapIn(message.html, id);
      return;
    }
    const shown = document.getElementById(id);
    if (!shown) return;
    if (Number(shown.dataset.revision) === message.same_since) {
      shown.dataset.revision = message.revision;
    } else if (!asking) {
      asking = refreshSummary().finally(function () { asking = null; });
    }
  }
  live.socket.on("indicators", function (message) { pushed(message, "wall-indicators"); });
  live.socket.on("ticker", function (message) { pushed(message, "ticker"); });
  // Meeting mode: the chair's agenda item over the rotation, or (null) back to the rotation.
  function showMeeting(html) {
    const pane = document.getElementById("meeting-pane");
    if (!pane) return;
    if (html) {
      pane.innerHTML = html;
      pane.hidden = false;
      document.body.classList.add("meeting-mode");
    } else if (!pane.hidden) {
      pane.hidden = true;
      pane.replaceChildren();
      document.body.classList.remove("meeting-mode");
      show(shown);
    }
  }
  live.socket.on("meeting", function (message) { showMeeting(message && message.html); });
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

  tick();
  setInterval(tick, 1000);
  touched(null);
  observeColumns();
  show(0);
  setInterval(turnPages, 1000);
  if (order.length > 1) {
    setInterval(function () { show((shown + 1) % order.length); },
      Number(area.dataset.rotateSeconds) * 1000);
  }
})();
