/* Filters on a live screen (the board and the wall).
 *
 * The server renders only the cards that match the screen's filter (wallchart/filters.py). A
 * live push renders a changed card once for every screen, so this script decides here whether
 * a pushed card matches this screen's filter, from the card's data attributes and its name,
 * investor and project code (data-code), and drops it if not: a card moved or edited out of the
 * filter leaves, one that starts to match arrives. The rules are the server's; change one, change the other.
 *
 * On the board it also drives the filter bar: htmx sends the form on each change (a typed
 * search after a pause) and swaps the columns; empty fields stay out of the address, and the
 * "my projects" / "my teams" switches (board.js) stay in it.
 */
(function () {
  "use strict";

  const live = window.Wallchart;

  function rules() {
    const columns = document.getElementById("columns");
    return columns && columns.dataset.filter ? JSON.parse(columns.dataset.filter) : null;
  }

  // Case-insensitive as SQL's lower() is on SQLite: ASCII letters only.
  function fold(text) {
    return text.replace(/[A-Z]/g, function (letter) { return letter.toLowerCase(); });
  }

  function text(card, selector) {
    const element = card.querySelector(selector);
    return element ? element.textContent.trim() : "";
  }

  function matches(card, rule) {
    const data = card.dataset;
    if (rule.counties.length && !rule.counties.includes(data.county)) return false;
    if (rule.sector && data.sector !== rule.sector) return false;
    if (rule.owner && data.owner !== rule.owner) return false;
    if (rule.team && data.team !== rule.team) return false;
    if (rule.three500 === "any" ? !data.three500 : rule.three500 && data.three500 !== rule.three500) return false;
    if (rule.billion && Number(data.investment) < rule.billionWan) return false;
    if (rule.foreign && data.foreign !== "1") return false;
    if (rule.warning === "any" ? !data.warning : rule.warning && data.warning !== rule.warning) return false;
    if (rule.blockers && !(Number(data.blockers) > 0)) return false;
    if (rule.q) {
      const q = fold(rule.q);
      if (!fold(text(card, ".card-title")).includes(q) && !fold(text(card, ".card-investor")).includes(q)
          && !fold(card.dataset.code || "").includes(q)) return false;
    }
    return true;
  }

  live.onChange(function (reason, card) {
    const rule = card && rules();
    if (rule && !matches(card, rule)) {
      card.remove();
      live.recount();
    }
  });

  const form = document.getElementById("filter-bar");
  if (!form || !window.htmx) return;

  // Back and forward reload the page: the page's scripts and socket belong to it.
  htmx.config.refreshOnHistoryMiss = true;

  const KEPT = ["mine", "teams"];   // board.js's switches, kept in the address
  form.addEventListener("htmx:configRequest", function (event) {
    const data = event.detail.formData;
    for (const name of new Set(data.keys())) {
      if (data.getAll(name).every(function (value) { return value.trim() === ""; })) data.delete(name);
    }
    const current = new URLSearchParams(window.location.search);
    for (const name of KEPT) if (current.has(name)) data.set(name, current.get(name));
  });

  let typing = null;
  form.elements.q.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { form.requestSubmit(); }, 400);
  });

  // "Clear filters": every control back to empty, and the form sent as usual.
  form.addEventListener("click", function (event) {
    if (!event.target.closest("[data-clear-filters]")) return;
    event.preventDefault();
    for (const element of form.elements) {
      if (element.type === "checkbox") element.checked = false;
      else if (element.tagName === "SELECT" || element.type === "search") element.value = "";
    }
    form.requestSubmit();
  });

  // Each pick list's summary says how many are ticked.
  function countPicks() {
    for (const pick of form.querySelectorAll(".filter-pick")) {
      const ticked = pick.querySelectorAll("input:checked").length;
      pick.querySelector("summary").dataset.count = ticked ? String(ticked) : "";
    }
  }
  form.addEventListener("change", countPicks);
  countPicks();
})();
