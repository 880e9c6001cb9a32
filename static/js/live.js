/* Live updates shared by the board and the wall display.
 *
 * The server renders every changed card once and pushes it over Socket.IO with the board
 * revision. Events are applied strictly in revision order; a gap, a reconnect or a refused move
 * makes the screen fetch the columns again (resync), so it always ends up showing the database.
 * A filtered screen fetches them with its own filter (the page's query string); a card pushed
 * for a column the screen does not show is dropped (static/js/filters.js drops the others).
 *
 * Every few seconds the server also sends the board's revision (heartbeat), through the same
 * message queue as the cards. A connected screen that hears no heartbeat for 2.5 intervals may be
 * missing changes (the queue is down): its badge says so, and the next heartbeat that comes
 * turns it back to live and, if the board moved on meanwhile, makes the screen resync.
 */
(function () {
  "use strict";

  const board = document.getElementById("board");
  const indicator = document.querySelector(".live-indicator");
  const hooks = [];
  let columns = document.getElementById("columns");
  let revision = Number(columns.dataset.revision);
  let latestSeen = revision;
  let paused = false;
  let queue = [];
  let resyncing = false;
  let heartbeatSeconds = 0;   // from the server's hello; 0: not connected yet
  let lastBeat = 0;
  // A heartbeat is missed after this many intervals without one.
  const BEATS_MISSED = 2.5;
  // A heartbeat may overtake the card it counts (both are sent after the commit): a screen
  // behind it waits this long for the card before it fetches the columns.
  const CATCH_UP_MS = 2000;

  function setState(state) {
    if (!indicator) return;
    indicator.dataset.state = state;
    const key = "text" + state.charAt(0).toUpperCase() + state.slice(1);
    indicator.textContent = indicator.dataset[key] || state;
  }

  function toast(message, kind) {
    const box = document.getElementById("toast");
    if (!box || !message) return;
    box.textContent = message;
    box.className = "show " + (kind || "info");
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.className = ""; }, 6000);
  }

  function shanghaiToday() {
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  }

  // A number followed by its unit, which carries the singular and plural forms.
  function setCount(numberElement, count) {
    numberElement.textContent = count;
    const unit = numberElement.nextElementSibling;
    if (unit && unit.classList.contains("unit")) {
      unit.textContent = count === 1 ? unit.dataset.one : unit.dataset.other;
    }
  }

  function refreshDays() {
    const today = Date.parse(shanghaiToday());
    for (const span of board.querySelectorAll("[data-since]")) {
      const days = Math.round((today - Date.parse(span.dataset.since)) / 86400000);
      // Day 0 reads "today" as rendered; from the next day on, the number of days.
      if (days > 0 && String(days) !== span.textContent) setCount(span, days);
    }
  }

  // Each column's count, total and yellow and red cards, and the filter bar's count of
  // matching projects, from the cards this screen shows.
  function recount() {
    let shown = 0;
    for (const column of board.querySelectorAll(".column")) {
      const visible = Array.from(column.querySelectorAll(".card")).filter(function (c) { return !c.hidden; });
      const wan = visible.reduce(function (sum, c) { return sum + Number(c.dataset.investment || 0); }, 0);
      const total = column.querySelector(".total");
      const decimals = Number(total.dataset.decimals);
      setCount(column.querySelector(".count"), visible.length);
      const tab = document.getElementById("stage-tab-" + column.dataset.stage);   // the board's, on a phone
      if (tab) setCount(tab.querySelector(".count"), visible.length);
      total.textContent = (wan / Number(total.dataset.divisor)).toLocaleString("en-US", {
        minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      for (const badge of column.querySelectorAll(".warning-count")) {
        const count = visible.filter(function (c) { return c.dataset.warning === badge.dataset.colour; }).length;
        badge.querySelector(".n").textContent = count;
        badge.hidden = count === 0;
      }
      shown += visible.length;
    }
    const matching = document.getElementById("match-count");
    if (matching) setCount(matching, shown);
  }

  function changed(reason, card) {
    recount();
    for (const hook of hooks) hook(reason, card);
  }

  function apply(event) {
    const old = board.querySelector('.card[data-project-id="' + event.id + '"]');
    if (old) old.remove();
    let card = null;
    // A column this screen does not show (a filter on stages, or a refused filter): no card.
    const list = board.querySelector('.column[data-stage="' + event.stage + '"] .cards');
    if (event.action !== "deleted" && event.html && list) {
      const template = document.createElement("template");
      template.innerHTML = event.html.trim();
      card = template.content.firstElementChild;
      const others = list.querySelectorAll(":scope > .card");
      list.insertBefore(card, others[event.position] || null);
      card.classList.add("just-changed");
      setTimeout(function () { card.classList.remove("just-changed"); }, 4000);
    }
    revision = event.revision;
    changed("event", card);
  }

  function handle(event) {
    latestSeen = Math.max(latestSeen, event.revision);
    if (paused || resyncing) { queue.push(event); return; }
    if (event.revision <= revision) return;            // already shown (e.g. after a resync)
    if (event.revision !== revision + 1) { resync(); return; }  // missed something
    apply(event);
  }

  function drain() {
    const pending = queue.sort(function (a, b) { return a.revision - b.revision; });
    queue = [];
    for (const event of pending) handle(event);
  }

  // The columns URL with this page's filter: the parameters of the page's own address.
  function columnsUrl() {
    const url = new URL(board.dataset.columnsUrl, window.location.href);
    const own = new URLSearchParams(url.search);   // a wall's token and language
    url.search = window.location.search;
    for (const [name, value] of own) url.searchParams.set(name, value);
    return url;
  }

  // Take fresh columns (fetched here, or swapped in by the filter bar) as what the screen shows
  // at their revision. Older than the events this screen had applied (they came while the
  // filter bar's request was on its way): fetch again.
  function adopt(fresh) {
    const applied = revision;
    columns = fresh;
    revision = Number(fresh.dataset.revision);
    latestSeen = Math.max(latestSeen, revision);
    changed("resync", null);
    if (applied > revision) { resync(); return; }
    queue = queue.filter(function (e) { return e.revision > revision; });
    drain();
  }

  async function resync() {
    if (paused || resyncing) { latestSeen = Math.max(latestSeen, revision + 1); return; }
    resyncing = true;
    try {
      const response = await fetch(columnsUrl(), { credentials: "same-origin" });
      if (response.status === 401 || response.status === 403) {
        if (board.dataset.view === "board") window.location.reload();
        throw new Error("refused");
      }
      // 400: the filter in the address is refused; the answer says why, in place of the cards.
      if (!response.ok && response.status !== 400) throw new Error("status " + response.status);
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const fresh = template.content.firstElementChild;
      document.getElementById("columns").replaceWith(fresh);
      if (window.htmx) htmx.process(fresh);
      resyncing = false;
      adopt(fresh);
    } catch (error) {
      resyncing = false;
      setTimeout(resync, 3000);
    }
  }

  // The filter bar's answers replace the columns through htmx.
  document.body.addEventListener("htmx:afterSettle", function () {
    const fresh = document.getElementById("columns");
    if (fresh && fresh !== columns && !resyncing) adopt(fresh);
  });

  function pause(on) {
    paused = on;
    if (on) return;
    if (latestSeen > revision && queue.length === 0) { resync(); return; }
    drain();
  }

  const auth = board.dataset.token ? { token: board.dataset.token, lang: board.dataset.lang } : {};
  // WebSocket only, no long-polling: the browser names this page in the WebSocket handshake's
  // Origin header, which the server requires with a session cookie; Chromium sends no Origin on
  // the same-origin GET that opens a polling session.
  const socket = io({ auth: auth, transports: ["websocket"], reconnectionDelay: 1000,
    reconnectionDelayMax: 10000 });
  socket.on("connect", function () { lastBeat = Date.now(); setState("live"); });
  socket.on("disconnect", function (reason) {
    setState("offline");
    // The server closed this socket on purpose: the session ended or the display was revoked.
    // Reloading shows the sign-in page, or the wall's "not authorized" page.
    if (reason === "io server disconnect") setTimeout(function () { window.location.reload(); }, 1000);
  });
  socket.on("connect_error", function () {
    setState("offline");
    // A refusal (say, the server restarted without our session) stops automatic retries:
    // a board reloads to sign in again; a wall display keeps trying, forever.
    if (!socket.active) {
      if (board.dataset.view === "board") setTimeout(function () { window.location.reload(); }, 5000);
      else setTimeout(function () { socket.connect(); }, 10000);
    }
  });
  socket.on("hello", function (hello) {
    heartbeatSeconds = hello.heartbeat || 0;
    lastBeat = Date.now();
    if (hello.revision !== revision) resync();
  });
  socket.on("project", handle);
  // The bell's unread count (realtime/notices.py): only this person's screens hear it.
  socket.on("notifications", function (event) {
    const count = document.getElementById("bell-count");
    if (!count || typeof event.unread !== "number") return;
    count.textContent = String(event.unread);
    count.hidden = event.unread === 0;
    count.parentElement.classList.toggle("has-unread", event.unread > 0);
  });
  // Many cards changed at once (an import): read the columns again.
  socket.on("reloaded", function (event) {
    latestSeen = Math.max(latestSeen, event.revision);
    if (event.revision > revision) resync();
  });
  socket.on("heartbeat", function (beat) {
    lastBeat = Date.now();
    if (indicator && indicator.dataset.state === "stale") setState("live");
    if (beat.revision <= revision) return;
    latestSeen = Math.max(latestSeen, beat.revision);
    setTimeout(function () { if (revision < beat.revision) resync(); }, CATCH_UP_MS);
  });
  setInterval(function () {
    const missed = heartbeatSeconds && Date.now() - lastBeat > BEATS_MISSED * heartbeatSeconds * 1000;
    if (socket.connected && missed && indicator && indicator.dataset.state === "live") {
      setState("stale");
    }
  }, 1000);

  refreshDays();
  setInterval(refreshDays, 10 * 60 * 1000);
  window.Wallchart = {
    socket: socket,
    pause: pause,
    resync: resync,
    toast: toast,
    recount: recount,
    onChange: function (hook) { hooks.push(hook); },
    get revision() { return revision; },
  };
})();
