/* The board: drag and drop (SortableJS, mouse and touch) and "Move to…" (a sheet of stages, the
 * phone's way), the project dialog, the filters ("my projects", "my teams") and, for leads,
 * selecting cards to give them one owner. On a phone, stage_tabs.js shows one stage at a time. */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const live = window.Wallchart;
  const dialog = document.getElementById("dialog");
  const mineBox = document.getElementById("filter-mine");
  const teamsBox = document.getElementById("filter-teams");
  const myTeams = JSON.parse(board.dataset.myTeams || "[]");
  const moveTeams = JSON.parse(board.dataset.moveTeams || "[]");
  const moveAny = "moveAny" in board.dataset;   // an administrator
  const csrfToken = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const outbox = window.WallchartOutbox;   // absent for a reader who changes nothing
  let lastDrop = 0;

  function moveUrl(projectId) {
    return board.dataset.moveUrl.replace(/\/0\/move$/, "/" + projectId + "/move");
  }

  function sendMove(projectId, body) {
    return fetch(moveUrl(projectId), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
  }

  async function answerOf(response) {
    try { return await response.json(); } catch (ignored) { return {}; }   // not JSON
  }

  // A refused move: say why and snap every card back to what the database holds.
  function refused(message) {
    live.toast(message || board.dataset.textFailed, "error");
    live.pause(false);
    live.resync();
  }

  // A move that cannot reach the server is kept on this device and sent when the connection
  // returns (static/js/outbox.js); so is one of a card whose earlier change still waits, after it.
  function keepMove(card, body) {
    const kept = outbox && outbox.keep({ kind: "move", project: card.dataset.projectId,
      version: body.version, body: { stage: body.stage, position: body.position } });
    live.pause(false);
    if (!kept) { refused(); return false; }
    if (navigator.onLine) outbox.flush();
    return true;
  }

  // Send a move of ``card`` from the stage ``from`` (live updates paused meanwhile): a drop's,
  // or a tap on "Move to…". True once it is saved; a gate asks for what the stage needs.
  // Without a connection it is kept instead (false: not saved yet).
  async function move(card, body, from) {
    if (outbox && (!navigator.onLine || outbox.waiting(card.dataset.projectId))) {
      keepMove(card, body);
      return false;
    }
    let response;
    try {
      response = await sendMove(card.dataset.projectId, body);
    } catch (error) {
      keepMove(card, body);
      return false;
    }
    const answer = await answerOf(response);
    if (response.ok) {
      card.dataset.version = answer.version;
      live.pause(false);
      return true;
    }
    if (response.status === 422 && Array.isArray(answer.missing)) {
      gate.ask(card, body, answer, from);   // live updates wait until the dialog is answered
    } else {
      refused(answer.error);
    }
    return false;
  }

  function drop(event) {
    lastDrop = Date.now();
    const card = event.item;
    const list = card.parentElement;
    if (event.from === event.to && event.oldIndex === event.newIndex) { live.pause(false); return; }
    move(card, {
      stage: list.closest(".column").dataset.stage,
      version: Number(card.dataset.version),
      position: Array.from(list.querySelectorAll(":scope > .card")).indexOf(card),
    }, event.from.closest(".column").dataset.stage);
  }

  // --- the stage gate: a dropped card that lacks what its new stage needs ---------------------

  // Asks for exactly the fields the server named, plus the date the stage is entered (today
  // unless changed: a signing of last week is dated back here), then sends the move again.
  // A stage the card skips gets no guessed date: its field starts empty, "today" one click
  // away, and the dialog names the skipped stages. Cancel (or Escape) puts the card back where
  // it was. The modal dialog keeps the keyboard.
  const gate = (function () {
    const box = document.getElementById("gate-dialog");
    if (!box) return { ask: function () { refused(); } };
    const form = box.querySelector("form");
    const general = box.querySelector(".gate-error");
    let pending = null;   // {card, body} while the dialog is open

    function rows() { return Array.from(box.querySelectorAll("[data-gate-field]")); }

    function showError(row, message) {
      const input = row.querySelector("input");
      const text = row.querySelector(".field-error");
      text.textContent = message || "";
      text.hidden = !message;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }

    function show(names, errors) {
      general.hidden = true;
      for (const row of rows()) {
        const wanted = names.includes(row.dataset.gateField);
        if (wanted) row.hidden = false;
        showError(row, errors[row.dataset.gateField]);
      }
      // A message for a field the dialog does not show goes above the buttons.
      const loose = Object.keys(errors).filter(function (name) {
        const row = box.querySelector('[data-gate-field="' + name + '"]');
        return !row || row.hidden;
      }).map(function (name) { return errors[name]; });
      if (loose.length) { general.textContent = loose.join(" "); general.hidden = false; }
    }

    // The stages strictly between ``from`` and ``to`` whose dates are asked: skipped ones.
    function skippedLabels(from, to, names) {
      const order = rows().filter(function (row) { return row.dataset.stage; });
      const stages = order.map(function (row) { return row.dataset.stage; });
      return order.filter(function (row) {
        const at = stages.indexOf(row.dataset.stage);
        return at > stages.indexOf(from) && at < stages.indexOf(to) &&
          names.includes(row.dataset.gateField);
      }).map(function (row) { return row.dataset.stageLabel; });
    }

    function ask(card, body, answer, from) {
      pending = { card: card, body: body };
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" })
        .format(new Date());
      const entered = "stage_dates." + body.stage;
      for (const row of rows()) {
        row.hidden = true;
        const input = row.querySelector("input");
        input.value = row.dataset.gateField === entered ? today : "";
        if (input.type === "date") {
          input.max = today;
          row.querySelector("[data-today]").dataset.today = today;
        }
      }
      box.querySelector(".gate-message").textContent = answer.error || "";
      const names = answer.missing.concat([entered]);
      const skipped = skippedLabels(from, body.stage, names);
      const notice = box.querySelector(".gate-skipped");
      notice.textContent = notice.dataset.text
        .replace("{stages}", skipped.join(notice.dataset.separator));
      notice.hidden = !skipped.length;
      // Nothing typed yet: the fields are asked for, not yet wrong.
      show(names, {});
      box.showModal();
      const first = box.querySelector("[data-gate-field]:not([hidden]) input");
      if (first) first.focus();
    }

    function typed() {
      const fields = { stage_dates: {} };
      for (const row of rows()) {
        if (row.hidden) continue;
        const input = row.querySelector("input");
        const name = row.dataset.gateField;
        const value = input.value.trim();
        if (name.startsWith("stage_dates.")) {
          fields.stage_dates[name.slice("stage_dates.".length)] = value || null;
        } else {
          const digits = value.replace(/[,，\s]/g, "");
          // A non-number goes as typed: the server refuses it with its message at the field.
          fields[name] = value === "" ? null : /^-?\d+$/.test(digits) ? Number(digits) : value;
        }
      }
      return fields;
    }

    async function confirm(event) {
      event.preventDefault();
      if (!pending) return;
      const card = pending.card;
      const body = Object.assign({}, pending.body, typed(),
        { version: Number(card.dataset.version) });
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      let response;
      try {
        response = await sendMove(card.dataset.projectId, body);
      } catch (error) {
        button.disabled = false;
        show([], { "": board.dataset.textFailed });
        return;
      }
      button.disabled = false;
      const answer = await answerOf(response);
      if (response.ok) {
        card.dataset.version = answer.version;
        pending = null;
        box.close();
        live.pause(false);
      } else if (response.status === 422) {
        // A refusal one field's message says whole is said at that field only.
        const fields = answer.fields || {};
        const repeated = Object.values(fields).includes(answer.error);
        box.querySelector(".gate-message").textContent = repeated ? "" : answer.error || "";
        show(answer.missing || [], fields);
        const wrong = box.querySelector("[aria-invalid=true]");
        if (wrong) wrong.focus();
      } else {
        pending = null;
        box.close();
        refused(answer.error);
      }
    }

    form.addEventListener("submit", confirm);
    box.querySelector("[data-gate-cancel]").addEventListener("click", function () { box.close(); });
    box.addEventListener("close", function () {
      if (!pending) return;   // saved, or refused for good
      const title = pending.card.querySelector(".card-title");
      pending = null;
      live.pause(false);
      live.resync();          // the card goes back to where the database has it
      if (title) title.focus();
    });
    return { ask: ask };
  })();
  if (outbox) outbox.onGate(gate.ask);

  // A card of a team the reader may not change does not look draggable and is never picked
  // up (the server would refuse its move anyway). The card's HTML is the same for every
  // screen, so each screen marks its own cards, again after every live change.
  function markFixed() {
    for (const card of board.querySelectorAll(".card")) {
      card.classList.toggle("card-fixed", !moveAny && !moveTeams.includes(card.dataset.team));
    }
  }

  // The empty board's notice goes once a first card is there.
  function dropEmptyNotice() {
    const notice = document.getElementById("notice-empty");
    if (notice && board.querySelector(".card")) notice.remove();
  }

  // --- "Move to…": a stage to tap, the easy way to move on a phone ------------------------------

  // The same move as a drop (to the end of the stage's column); the card goes over when the
  // live push brings it, to every screen alike.
  (function () {
    const box = document.getElementById("move-dialog");
    if (!box) return;
    // The project asked about, while the sheet is open; its card is found again by its id when
    // a stage is tapped (a live update may have redrawn it meanwhile, with a newer version).
    let asked = null;

    function open(card) {
      asked = card.dataset.projectId;
      const from = card.closest(".column").dataset.stage;
      box.querySelector(".move-project").textContent = card.querySelector(".card-title").textContent;
      for (const button of box.querySelectorAll("button[data-move-to]")) {
        const here = button.dataset.moveTo === from;
        button.disabled = here;
        if (here) button.setAttribute("aria-current", "true"); else button.removeAttribute("aria-current");
      }
      box.showModal();
      box.querySelector("button[data-move-to]:not(:disabled)").focus();
    }

    box.addEventListener("click", async function (event) {
      const button = event.target.closest("button[data-move-to]");
      if (!button || !asked) return;
      const card = cardOf(asked);
      asked = null;
      box.close();
      if (!card) { refused(); return; }   // it left this screen meanwhile
      live.pause(true);
      const body = { stage: button.dataset.moveTo, version: Number(card.dataset.version), position: null };
      if (await move(card, body, card.closest(".column").dataset.stage)) {
        live.toast(box.dataset.textMoved.replace("{stage}", button.dataset.label), "info");
      }
    });
    box.addEventListener("close", function () {
      // Cancelled: back to the card's button. Moved: the stage shown, whose tab says the count.
      const back = asked && cardOf(asked);
      asked = null;
      const tab = board.querySelector('.stage-tab[aria-selected="true"]');
      if (back) back.querySelector(".card-move").focus(); else if (tab) tab.focus();
    });
    board.addEventListener("click", function (event) {
      const button = event.target.closest(".card-move");
      if (button) open(button.closest(".card"));
    });
  })();

  function makeSortable() {
    if (board.dataset.canMove !== "1") return;
    for (const list of board.querySelectorAll(".column .cards")) {
      if (list.dataset.sortable) continue;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "board",
        draggable: ".card",
        animation: 150,
        forceFallback: true,       // the same drag code for mouse and touch, and in tests
        fallbackTolerance: 4,
        delay: 150,
        delayOnTouchOnly: true,    // a touch must rest briefly, so the board still scrolls
        ghostClass: "card-ghost",
        chosenClass: "card-chosen",
        filter: ".card-select, .card-move, .card-fixed",   // tapped, never dragged; or not his to move
        preventOnFilter: false,
        onStart: function () { live.pause(true); },
        onEnd: drop,
      });
    }
  }

  // --- filters: shown only on this screen, kept in the URL, combined --------------------------

  function shown(card) {
    if (mineBox && mineBox.checked && card.dataset.owner !== board.dataset.me) return false;
    if (teamsBox && teamsBox.checked && !myTeams.includes(card.dataset.team)) return false;
    return true;
  }

  function applyFilters() {
    for (const card of board.querySelectorAll(".card")) card.hidden = !shown(card);
    live.recount();
  }

  function keepInUrl(name, value) {
    const url = new URL(window.location.href);
    if (value) url.searchParams.set(name, value); else url.searchParams.delete(name);
    window.history.replaceState(null, "", url);
  }

  if (mineBox) {
    mineBox.addEventListener("change", function () {
      keepInUrl("mine", mineBox.checked ? "1" : null);
      applyFilters();
      updateSelection();
    });
  }
  if (teamsBox) {
    teamsBox.addEventListener("change", function () {
      keepInUrl("teams", teamsBox.checked ? "mine" : null);
      applyFilters();
      updateSelection();
    });
  }

  // --- selecting cards and giving them one owner (leads, administrators) ----------------------

  const selectButton = document.getElementById("select-mode");
  const bulkBar = document.getElementById("bulk-bar");
  const selected = new Set();   // project ids; the cards may be redrawn by live updates meanwhile

  function selecting() {
    return Boolean(selectButton) && selectButton.getAttribute("aria-pressed") === "true";
  }

  function cardOf(projectId) {
    return board.querySelector('.card[data-project-id="' + projectId + '"]');
  }

  // Give every card its checkbox while selecting (and take them away after); forget cards that
  // left the board or that a filter hides, so that only what the lead sees gets assigned.
  function updateSelection() {
    if (!bulkBar) return;
    const on = selecting();
    const present = new Set();
    for (const card of board.querySelectorAll(".card")) {
      const id = card.dataset.projectId;
      let box = card.querySelector(":scope > .card-select");
      if (card.hidden) selected.delete(id);
      present.add(id);
      if (!on) { if (box) box.remove(); continue; }
      if (!box) {
        box = document.createElement("input");
        box.type = "checkbox";
        box.className = "card-select";
        const title = card.querySelector(".card-title");
        box.setAttribute("aria-label", title ? title.textContent.trim() : id);
        card.prepend(box);
      }
      box.checked = selected.has(id);
    }
    for (const id of Array.from(selected)) if (!present.has(id)) selected.delete(id);
    document.getElementById("bulk-count").textContent = selected.size;
  }

  function setSelecting(on) {
    selectButton.setAttribute("aria-pressed", on ? "true" : "false");
    bulkBar.hidden = !on;
    if (!on) selected.clear();
    updateSelection();
  }

  async function assignSelected() {
    const ownerSelect = document.getElementById("bulk-owner");
    const option = ownerSelect.selectedOptions[0];
    const none = Boolean(option) && option.hasAttribute("data-none");
    if (selected.size === 0) { live.toast(bulkBar.dataset.textEmpty, "error"); return; }
    if (!option || (!none && !option.value)) {
      live.toast(bulkBar.dataset.textChoose, "error");
      ownerSelect.focus();
      return;
    }
    const projects = Array.from(selected, function (id) {
      return { id: Number(id), version: Number(cardOf(id).dataset.version) };
    });
    let response;
    try {
      response = await fetch(bulkBar.dataset.assignUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ projects: projects, owner: none ? null : option.value }),
      });
    } catch (error) {
      live.toast(bulkBar.dataset.textFailed, "error");
      return;
    }
    if (response.ok) {
      // The cards themselves arrive by the live push, like every other change.
      selected.clear();
      updateSelection();
      live.toast(bulkBar.dataset.textDone, "info");
      return;
    }
    let message = bulkBar.dataset.textFailed;
    try { message = (await response.json()).error || message; } catch (ignored) { /* not JSON */ }
    live.toast(message, "error");
    if (response.status === 409) live.resync();   // show what the database holds now
  }

  if (selectButton && bulkBar) {
    selectButton.addEventListener("click", function () { setSelecting(!selecting()); });
    board.addEventListener("change", function (event) {
      if (!event.target.classList.contains("card-select")) return;
      const id = event.target.closest(".card").dataset.projectId;
      if (event.target.checked) selected.add(id); else selected.delete(id);
      updateSelection();
    });
    document.getElementById("bulk-assign").addEventListener("click", assignSelected);
    document.getElementById("bulk-clear").addEventListener("click", function () {
      selected.clear();
      updateSelection();
    });
    bulkBar.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setSelecting(false); selectButton.focus(); }
    });
  }

  live.onChange(function (reason) {
    if (reason === "resync") makeSortable();
    markFixed();
    dropEmptyNotice();
    applyFilters();
    updateSelection();
    showCreated();
  });

  // --- a project just created: confirmed, and its card shown once it is on this screen --------

  let created = null;   // its id, until its card arrives by the live push

  function showCreated() {
    const card = created && cardOf(created);
    if (!card || card.hidden) return;
    created = null;
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    card.classList.add("just-changed");
    const title = card.querySelector(".card-title");
    if (title) title.focus({ preventScroll: true });
  }

  document.body.addEventListener("wallchart:done", function (event) {
    if (!event.detail.created) return;
    live.toast(event.detail.message, "info");
    created = String(event.detail.created);
    showCreated();
  });

  let openedFrom = null;   // the project whose card opened the dialog, to return focus to it

  // A card's title opens its project in the dialog: one listener for the board, where htmx on
  // each title took a quarter of a second of every load of a thousand cards to set up (and
  // again for each card a live change brings).
  board.addEventListener("click", function (event) {
    const title = event.target.closest(".card-title[data-panel]");
    if (title) htmx.ajax("GET", title.dataset.panel, { source: title, target: "#dialog-body" });
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const title = event.detail.elt.closest(".card-title");
    if (!title) return;
    // A drag that ends over a card's title must not also open the project.
    if (Date.now() - lastDrop < 500) { event.preventDefault(); return; }
    openedFrom = title.closest(".card").dataset.projectId;
  });
  // dialog.js opens and closes the dialog; the board returns the focus to the card after.
  dialog.addEventListener("close", function () {
    // The card may have been redrawn by a live update meanwhile: find it again by its id.
    const title = openedFrom &&
      board.querySelector('.card[data-project-id="' + openedFrom + '"] .card-title');
    if (title) title.focus();
  });

  // The export links carry the filter the board shows now: the filter bar and the "my
  // projects" / "my teams" switches keep it in the address as they change it.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-export]");
    if (link) link.search = window.location.search;
  });

  markFixed();
  makeSortable();
  applyFilters();
})();
