/* The board on a phone: one stage at a time, chosen by its tab (a tap, or the arrow keys, Home
 * and End on a tab), or by a swipe across the cards. The tabs come with the columns
 * (partials/columns.html) and keep their counts through live.js; the stage shown stays when
 * the columns are redrawn (a filter, a resync). Larger screens hide the tabs and show every
 * column (app.css); there the columns are not tab panels. A stage that a tap or a swipe shows
 * is announced to screen readers ("在谈 · 12 个项目") in #stage-announcer, a polite live region
 * (the arrow keys need not: the focus goes to the tab, whose name says the same).
 */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const announcer = document.getElementById("stage-announcer");
  const live = window.Wallchart;
  // A phone, where phone.css shows one stage at a time: the condition base.html links it with.
  const phone = window.matchMedia(document.getElementById("phone-layout").media);
  // A finger that travels sideways this far, and more than twice as far as up or down, swipes.
  const SWIPE_PX = 60;
  let currentStage = null;   // the stage shown on a phone
  let swipeFrom = null;
  let picked = false;        // the finger on the glass picked a card up: it drags, not swipes
  let announced = null;      // the timer that fills the live region

  function stageTabs() { return Array.from(board.querySelectorAll(".stage-tab")); }

  // The stage's name and its count as its tab says them: "在谈 · 12 个项目". Emptied first, so
  // that the same words said again (a swipe there and back) are heard again.
  function announce(tab) {
    if (!announcer) return;
    const words = tab.querySelector(".stage-tab-label").textContent.trim() + " · " +
      tab.querySelector(".stage-tab-count").textContent.trim();
    announcer.textContent = "";
    clearTimeout(announced);
    announced = setTimeout(function () { announcer.textContent = words; }, 100);
  }

  // Show the stage (the first shown one if it is not: a filter took it away), its tab
  // selected and the only one in the Tab order; ``say``: announce it if it is another one.
  function showStage(stage, focus, say) {
    const tabs = stageTabs();
    if (!tabs.length) return;
    const tab = tabs.find(function (t) { return t.dataset.tab === stage; }) || tabs[0];
    if (say && phone.matches && tab.dataset.tab !== currentStage) announce(tab);
    currentStage = tab.dataset.tab;
    for (const each of tabs) {
      each.setAttribute("aria-selected", each === tab ? "true" : "false");
      each.tabIndex = each === tab ? 0 : -1;
    }
    for (const column of board.querySelectorAll(".column")) {
      column.toggleAttribute("data-current", column.dataset.stage === currentStage);
      if (phone.matches) {
        column.setAttribute("role", "tabpanel");
        column.setAttribute("aria-labelledby", "stage-tab-" + column.dataset.stage);
      } else {
        column.removeAttribute("role");
        column.removeAttribute("aria-labelledby");
      }
    }
    if (focus) tab.focus();
  }

  // The stage ``step`` tabs away (−1 left, +1 right), if there is one.
  function stepStage(step, focus, say) {
    const tabs = stageTabs();
    const at = tabs.findIndex(function (t) { return t.dataset.tab === currentStage; });
    const next = tabs[at + step];
    if (next) showStage(next.dataset.tab, focus, say);
  }

  board.addEventListener("click", function (event) {
    const tab = event.target.closest(".stage-tab");
    if (tab) showStage(tab.dataset.tab, false, true);
  });
  board.addEventListener("keydown", function (event) {
    if (!event.target.closest(".stage-tab")) return;
    const tabs = stageTabs();
    const keys = { ArrowLeft: -1, ArrowRight: 1 };
    if (event.key in keys) stepStage(keys[event.key], true);
    else if (event.key === "Home") showStage(tabs[0].dataset.tab, true);
    else if (event.key === "End") showStage(tabs[tabs.length - 1].dataset.tab, true);
    else return;
    event.preventDefault();
  });

  // A swipe starts on the stage's cards or on the page below them (a short column ends before
  // the screen does); not on the tabs, which scroll sideways when their words are long.
  function swipesStages(target) {
    if (target === document.body || target === document.documentElement) return true;
    return board.contains(target) && !target.closest(".stage-tabs");
  }

  document.addEventListener("touchstart", function (event) {
    picked = false;
    swipeFrom = event.touches.length === 1 && swipesStages(event.target)
      ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
  }, { passive: true });
  // SortableJS (board.js) announces a card picked up by a finger that rested on it: "choose".
  board.addEventListener("choose", function () { picked = true; });
  document.addEventListener("touchend", function (event) {
    const from = swipeFrom;
    swipeFrom = null;
    if (!from || picked || !phone.matches || event.changedTouches.length !== 1) return;
    const dx = event.changedTouches[0].clientX - from.x;
    const dy = event.changedTouches[0].clientY - from.y;
    if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 2 * Math.abs(dy)) stepStage(dx < 0 ? 1 : -1, false, true);
  }, { passive: true });

  phone.addEventListener("change", function () { showStage(currentStage, false); });
  // The filter bar's answer replaces the columns: the stage stays, before they are painted.
  document.body.addEventListener("htmx:afterSwap", function () { showStage(currentStage, false); });
  live.onChange(function (reason) { if (reason === "resync") showStage(currentStage, false); });

  showStage(null, false);
})();
