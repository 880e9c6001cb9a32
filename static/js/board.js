/* The board: drag and drop (SortableJS, mouse and touch), the project dialog, the filters
 * ("my projects", "my teams") and, for leads, selecting cards to give them one owner. */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const live = window.Wallchart;
  const dialog = document.getElementById("dialog");
  const dialogBody = document.getElementById("dialog-body");
  const mineBox = document.getElementById("filter-mine");
  const teamsBox = document.getElementById("filter-teams");
  const myTeams = JSON.parse(board.dataset.myTeams || "[]");
  const csrfToken = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  let lastDrop = 0;

  function moveUrl(projectId) {
    return board.dataset.moveUrl.replace(/\/0\/move$/, "/" + projectId + "/move");
  }

  async function drop(event) {
    lastDrop = Date.now();
    const card = event.item;
    const list = card.parentElement;
    if (event.from === event.to && event.oldIndex === event.newIndex) { live.pause(false); return; }
    const body = {
      stage: list.closest(".column").dataset.stage,
      version: Number(card.dataset.version),
      position: Array.from(list.querySelectorAll(":scope > .card")).indexOf(card),
    };
    try {
      const response = await fetch(moveUrl(card.dataset.projectId), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        card.dataset.version = (await response.json()).version;
      } else {
        let message = board.dataset.textFailed;
        try { message = (await response.json()).error || message; } catch (ignored) { /* not JSON */ }
        live.toast(message, "error");
        live.pause(false);
        live.resync();   // snap every card back to what the database holds
        return;
      }
    } catch (error) {
      live.toast(board.dataset.textFailed, "error");
      live.pause(false);
      live.resync();
      return;
    }
    live.pause(false);
  }

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
        filter: ".card-select",    // a selection checkbox is clicked, never dragged
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
    applyFilters();
    updateSelection();
  });

  let openedFrom = null;   // the project whose card opened the dialog, to return focus to it

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const title = event.detail.elt.closest(".card-title");
    if (!title) return;
    // A drag that ends over a card's title must not also open the project.
    if (Date.now() - lastDrop < 500) { event.preventDefault(); return; }
    openedFrom = title.closest(".card").dataset.projectId;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== dialogBody) return;
    if (!dialog.open) dialog.showModal();
    // Keep the keyboard in the dialog: on what asks for it, else on its first control.
    const focus = dialogBody.querySelector("[autofocus], [aria-invalid=true], select, input, button");
    if (focus) focus.focus();
  });
  document.body.addEventListener("wallchart:done", function () {
    dialog.close();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) dialog.close();
  });
  dialog.addEventListener("close", function () {
    dialogBody.replaceChildren();
    // The card may have been redrawn by a live update meanwhile: find it again by its id.
    const title = openedFrom &&
      board.querySelector('.card[data-project-id="' + openedFrom + '"] .card-title');
    if (title) title.focus();
  });

  makeSortable();
  applyFilters();
})();
