/* Work that survives a dead connection, on the board.
 *
 * A move (a drop, or the phone's "Move to…"), a progress note or a blocker that cannot reach the
 * server is kept on this device, in localStorage under "wallchart.outbox.<username>" (one list per
 * person; signing out deletes it, see static/js/offline.js). Its card says it waits. When the
 * connection returns (the browser's "online", the socket's reconnect, or the next page load) each
 * is sent, in order, through the same JSON API as ever, a move with the version of the card it
 * was made against. A refusal — the card changed meanwhile (409), or anything else — is never
 * dropped by itself: a dialog shows the change and the card as it is now, and the person chooses
 * to apply theirs again (on the current version) or to drop it.
 */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const live = window.Wallchart;
  const box = document.getElementById("outbox-dialog");
  if (!board || !live || !box) return;
  const KEY = "wallchart.outbox." + board.dataset.me;
  const said = box.dataset;
  const csrfToken = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  let flushing = false;
  let deciding = null;   // the dialog's answer, while it is open
  let onGate = null;     // board.js: a kept move that a stage gate stops goes to its dialog

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (ignored) { return []; }
  }

  function save(items) {
    try {
      if (items.length) localStorage.setItem(KEY, JSON.stringify(items));
      else localStorage.removeItem(KEY);
      return true;
    } catch (ignored) { return false; }   // storage full or refused
  }

  function apiUrl(projectId, what) {
    return board.dataset.apiProjectUrl.replace(/\/0$/, "/" + projectId) + "/" + what;
  }

  function stageLabel(stage) {
    const column = board.querySelector('.column[data-stage="' + stage + '"]');
    return column ? column.getAttribute("aria-label") : stage;
  }

  function cardOf(projectId) {
    return board.querySelector('.card[data-project-id="' + projectId + '"]');
  }

  function clock(iso) {
    return new Date(iso).toLocaleString(document.documentElement.lang, {
      timeZone: "Asia/Shanghai", month: "numeric", day: "numeric", hour: "2-digit",
      minute: "2-digit" });
  }

  // What a kept change is, in the person's words.
  function describe(item) {
    let what;
    if (item.kind === "move") what = said.textMove.replace("{stage}", stageLabel(item.body.stage));
    // (A function, so that a "$&" someone typed is not read as a pattern.)
    else if (item.kind === "note") what = said.textNote.replace("{text}", function () { return item.body.text || ""; });
    else what = said.textBlocker.replace("{text}", function () {
      return [item.body.department, item.body.description].filter(Boolean).join(": ");
    });
    return what + " · " + said.textMade.replace("{time}", clock(item.at));
  }

  // Keep a change that could not be sent. A later move of the same card replaces an earlier
  // one still waiting (the person moved it on), notes and blockers add up.
  function keep(item) {
    item.id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    item.at = new Date().toISOString();
    const items = load().filter(function (other) {
      return !(item.kind === "move" && other.kind === "move" && other.project === item.project);
    });
    items.push(item);
    if (!save(items)) { live.toast(said.textFull, "error"); return false; }
    mark();
    live.recount();   // a dropped card counts in the column it was dropped in
    live.toast(said.textKept, "info");
    return true;
  }

  function forget(id) {
    save(load().filter(function (item) { return item.id !== id; }));
  }

  function update(changed) {
    save(load().map(function (item) { return item.id === changed.id ? changed : item; }));
  }

  function waiting(projectId) {
    return load().some(function (item) { return item.project === String(projectId); });
  }

  // Every waiting change shows on its card; a card whose move waits stands in the column it
  // was moved to (a live update or a resync drew it where the database still has it).
  function mark() {
    const items = load();
    for (const badge of board.querySelectorAll(".card-pending")) badge.remove();
    for (const card of board.querySelectorAll(".card.is-pending")) card.classList.remove("is-pending");
    const byCard = new Map();
    for (const item of items) {
      if (!byCard.has(item.project)) byCard.set(item.project, []);
      byCard.get(item.project).push(item);
    }
    let moved = false;
    for (const [projectId, kept] of byCard) {
      const card = cardOf(projectId);
      if (!card) continue;
      card.classList.add("is-pending");
      const badge = document.createElement("p");
      badge.className = "card-pending";
      badge.textContent = said.textPending.replace("{count}", kept.length);
      badge.title = kept.map(describe).join("\n");
      const detail = document.createElement("span");
      detail.className = "visually-hidden";
      detail.textContent = ": " + kept.map(describe).join("; ");
      badge.appendChild(detail);
      card.appendChild(badge);
      const move = kept.filter(function (item) { return item.kind === "move"; }).pop();
      const list = move && board.querySelector('.column[data-stage="' + move.body.stage + '"] .cards');
      if (list && card.parentElement !== list) {
        const others = list.querySelectorAll(":scope > .card");
        list.insertBefore(card, move.body.position === null ? null : others[move.body.position] || null);
        moved = true;
      }
    }
    if (moved) live.recount();
    markPanel(items);
  }

  // The open project's dialog lists what waits for it, above its notes.
  function markPanel(items) {
    const panel = document.querySelector("#dialog [data-panel-project]");
    if (!panel) return;
    const kept = items.filter(function (item) { return item.project === panel.dataset.panelProject; });
    let list = panel.querySelector(".panel-pending");
    if (!kept.length) { if (list) list.remove(); return; }
    if (!list) {
      list = document.createElement("ul");
      list.className = "panel-pending";
      list.setAttribute("aria-label", said.textWaiting);
      const notes = panel.querySelector("#project-notes");
      if (notes) notes.before(list); else panel.append(list);
    }
    list.replaceChildren.apply(list, kept.map(function (item) {
      const line = document.createElement("li");
      line.textContent = said.textWaiting + ": " + describe(item);
      return line;
    }));
  }

  async function answerOf(response) {
    try { return await response.json(); } catch (ignored) { return {}; }
  }

  function send(item) {
    const url = item.kind === "move" ? board.dataset.moveUrl.replace(/\/0\/move$/, "/" + item.project + "/move")
      : apiUrl(item.project, item.kind === "note" ? "notes" : "blockers");
    const body = item.kind === "move" ? Object.assign({}, item.body, { version: item.version }) : item.body;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
  }

  // The card as the database has it now, in words; null when it cannot be read.
  async function current(item) {
    try {
      const response = await fetch(board.dataset.apiProjectUrl.replace(/\/0$/, "/" + item.project),
        { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return null;
      const project = await response.json();
      const last = (project.history || [])[0];   // the newest first
      let text = said.textNow.replace("{stage}", stageLabel(project.stage));
      if (last) text += " · " + said.textChanged.replace("{time}", clock(last.at)).replace("{user}", last.by || "—");
      return { text: text, version: project.version };
    } catch (ignored) { return null; }
  }

  // The dialog: this change, the card now, and the person's choice ("apply" or "drop"; closing
  // it otherwise leaves the change waiting for the next time the connection returns).
  async function decide(item, answer) {
    const now = await current(item);
    const card = cardOf(item.project);
    const title = card && card.querySelector(".card-title");
    box.querySelector(".outbox-project").textContent = title ? title.textContent.trim() : "";
    box.querySelector(".outbox-message").textContent = answer.error || said.textRefused;
    box.querySelector(".outbox-mine").textContent = describe(item);
    box.querySelector(".outbox-now").textContent = now ? now.text : said.textUnknown;
    box.returnValue = "";
    box.showModal();
    const choice = await new Promise(function (resolve) { deciding = resolve; });
    deciding = null;
    if (choice === "drop") {
      forget(item.id);
      live.toast(said.textDropped, "info");
      live.resync();
      return "drop";
    }
    if (choice === "apply") {
      if (now && item.kind === "move") item.version = now.version;
      update(item);
      return "apply";
    }
    return "later";
  }

  box.addEventListener("close", function () {
    if (deciding) deciding(box.returnValue);
  });

  // Send what waits, oldest first, one at a time; stop at the first that cannot reach the
  // server (it waits for the next chance) or that the person leaves for later.
  // One window of this browser sends at a time (the person's other windows share the list):
  // a note must not be sent twice.
  function flush() {
    if (flushing || !navigator.onLine || !load().length) return Promise.resolve();
    if (!navigator.locks) return sendAll();
    return navigator.locks.request(KEY, { ifAvailable: true }, function (lock) {
      return lock ? sendAll() : null;   // another window is sending
    });
  }

  async function sendAll() {
    if (flushing) return;
    flushing = true;
    let sent = 0;
    try {
      for (;;) {
        const item = load()[0];
        if (!item) break;
        let response;
        try { response = await send(item); } catch (ignored) { break; }   // still no connection
        const answer = await answerOf(response);
        if (response.ok) {
          forget(item.id);
          sent += 1;
          const card = cardOf(item.project);
          if (card && item.kind === "move" && answer.version) card.dataset.version = answer.version;
          continue;
        }
        if (response.status >= 500 || response.status === 401 || response.status === 429) break;
        const card = cardOf(item.project);
        if (item.kind === "move" && response.status === 422 && Array.isArray(answer.missing) &&
            card && onGate) {
          // The stage asks for more (a signing's date…): its own dialog, as for any drop.
          forget(item.id);
          mark();
          live.pause(true);
          onGate(card, Object.assign({}, item.body, { version: item.version }), answer,
            card.closest(".column").dataset.stage);
          break;
        }
        if (await decide(item, answer) === "later") break;
      }
    } finally {
      flushing = false;
      mark();
    }
    if (sent) live.toast(said.textSent.replace("{count}", sent), "info");
  }

  // --- progress notes and blockers written in the project's dialog ---------------------------

  // The dialog's note and blocker forms post through htmx; one that cannot reach the server is
  // kept here instead (as the API's JSON), and its form emptied.
  document.body.addEventListener("htmx:sendError", function (event) {
    const form = event.detail.elt.closest && event.detail.elt.closest("form.note-form, form.blocker-form");
    const panel = form && form.closest("[data-panel-project]");
    if (!panel) return;
    const fields = {};
    for (const [name, value] of new FormData(form)) fields[name] = value;
    const note = form.classList.contains("note-form");
    if (note && !fields.text.trim()) return;
    if (keep({ kind: note ? "note" : "blocker", project: panel.dataset.panelProject,
               version: null, body: note ? { text: fields.text } : fields })) {
      form.reset();
    }
  });

  // The project's dialog was drawn again (opened, or a section swapped): list what waits.
  document.body.addEventListener("htmx:afterSettle", function () { markPanel(load()); });
  window.addEventListener("online", flush);
  live.socket.on("connect", flush);
  live.onChange(mark);

  window.WallchartOutbox = {
    keep: keep,
    waiting: waiting,
    flush: flush,
    onGate: function (hook) { onGate = hook; },
  };
  mark();
  flush();
})();
