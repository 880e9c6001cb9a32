/* The board: drag and drop (SortableJS, mouse and touch), the project dialog, the owner filter. */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const live = window.Wallchart;
  const dialog = document.getElementById("dialog");
  const dialogBody = document.getElementById("dialog-body");
  const mineBox = document.getElementById("filter-mine");
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
        onStart: function () { live.pause(true); },
        onEnd: drop,
      });
    }
  }

  function filterMine() {
    const mine = mineBox && mineBox.checked;
    for (const card of board.querySelectorAll(".card")) {
      card.hidden = Boolean(mine) && card.dataset.owner !== board.dataset.me;
    }
    live.recount();
  }

  if (mineBox) {
    mineBox.addEventListener("change", function () {
      const url = new URL(window.location.href);
      if (mineBox.checked) url.searchParams.set("mine", "1"); else url.searchParams.delete("mine");
      window.history.replaceState(null, "", url);
      filterMine();
    });
  }

  live.onChange(function (reason, card) {
    if (reason === "resync") makeSortable();
    if (card && mineBox && mineBox.checked) card.hidden = card.dataset.owner !== board.dataset.me;
    if (reason === "resync" || card) {
      if (mineBox && mineBox.checked) filterMine();
    }
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
  filterMine();
})();
