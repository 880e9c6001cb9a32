/* A process of benchmark screens in Node.js: socket.io-client, the library the board's pages
 * run, with the websocket transport only (as they do). It speaks the line protocol of
 * bench/benchmark.py's client_main (and bench/screen_client.py's, without the columns), so any
 * part of the benchmark holds its screens here unless told --python-clients: a Python client
 * spends about five times the CPU a message, which on a 2-core machine the server needs.
 *
 *     node bench/node/screens.js SPEC    # SPEC is JSON:
 *     {"url": ..., "clients": [{"room": ..., "auth": {...}, "source": "127.1.0.1"?}, ...],
 *      "pace": connections a second?}
 *
 * Lines out, JSON: {"ready": N}; {"done": "ID:VERSION", "first": t, "last": t, "sizes": {room:
 * html length}} once every screen of this process has the event, on the monotonic clock Python's
 * time.monotonic() reads (CLOCK_MONOTONIC, shared by the processes); {"disconnect": i, "reason":
 * ..., "at": t}; {"error": text}; asked "report" on stdin, {"report": [per screen: count,
 * reloads, connected]}. "quit" (or end of input) stops it.
 */
"use strict";

const { io } = require("socket.io-client");

const spec = JSON.parse(process.argv[2]);
const members = spec.clients;
const count = members.length;
const screens = members.map(function () { return { count: 0, reloads: 0, connected: true }; });
const sockets = [];
const pending = new Map();  // "ID:VERSION" -> {who: Set of screens, first, sizes}
let stopping = false;

function now() { return Number(process.hrtime.bigint()) / 1e9; }
function say(message) { process.stdout.write(JSON.stringify(message) + "\n"); }
function fail(error) { say({ error: String(error) }); process.exit(1); }

function onProject(index, room) {
  return function (event) {
    const at = now();
    screens[index].count += 1;
    const key = event.id + ":" + event.version;
    let entry = pending.get(key);
    if (!entry) { entry = { who: new Set(), first: at, sizes: {} }; pending.set(key, entry); }
    if (entry.who.has(index)) return;
    entry.who.add(index);
    if (!(room in entry.sizes)) entry.sizes[room] = (event.html || "").length;
    if (entry.who.size === count) {
      pending.delete(key);
      say({ done: key, first: entry.first, last: at, sizes: entry.sizes });
    }
  };
}

// Resolves once the screen has its hello (the server's greeting after it admitted it).
function connect(index) {
  const member = members[index];
  return new Promise(function (resolve, reject) {
    const socket = io(spec.url, {
      auth: member.auth, transports: ["websocket"], reconnection: false, forceNew: true,
      timeout: 30000, localAddress: member.source,
    });
    sockets[index] = socket;
    socket.on("hello", resolve);
    socket.on("project", onProject(index, member.room));
    socket.on("reloaded", function () { screens[index].reloads += 1; });
    socket.on("connect_error", reject);
    socket.on("disconnect", function (reason) {
      screens[index].connected = false;
      if (!stopping) say({ disconnect: index, reason: String(reason), at: now() });
    });
  });
}

// Ten at a time, as the Python clients; or one every 1/pace s, as a province's after a restart.
async function connectAll() {
  let next = 0;
  const started = now();
  async function worker() {
    while (next < count) {
      const index = next++;
      if (spec.pace) {
        const wait = started + index / spec.pace - now();
        if (wait > 0) await new Promise(function (done) { setTimeout(done, wait * 1000); });
      }
      await connect(index);
    }
  }
  const workers = [];
  for (let n = 0; n < (spec.pace ? 1 : 10); n++) workers.push(worker());
  await Promise.all(workers);
}

function stop() {
  stopping = true;
  for (const socket of sockets) if (socket) socket.disconnect();
  setTimeout(function () { process.exit(0); }, 200);
}

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", function (data) {
  buffered += data;
  const lines = buffered.split("\n");
  buffered = lines.pop();
  for (const line of lines) {
    if (line.includes("report")) say({ report: screens });
    if (line.includes("quit")) stop();
  }
});
process.stdin.on("end", stop);

const patience = 60000 + (spec.pace ? count / spec.pace * 1000 : 0);
const deadline = setTimeout(function () { fail("not every screen got its hello"); }, patience);
connectAll().then(function () { clearTimeout(deadline); say({ ready: count }); }, fail);
