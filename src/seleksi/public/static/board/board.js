// The live score board: fetches the counts and rows (data-rows-url) every data-poll-seconds
// and swaps them in without a reload. A failed fetch changes nothing on the screen but the
// line under the table, which then says the scores are as of the last good fetch. Rows that
// have just finished are lit for a moment. Polling stops once the fragment says nothing can
// change any more (data-live="0": the session is closed and no sitting runs). Without this
// file the page reloads itself (a <noscript> meta refresh).
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board || !window.fetch) return;
  const url = board.dataset.rowsUrl;
  const seconds = Math.max(2, parseInt(board.dataset.pollSeconds, 10) || 5);
  const statusLine = document.querySelector(".board-status[role=status]");
  const statusText = document.getElementById("board-status-text");
  const statusTime = document.getElementById("board-status-time");
  const TIMEOUT_MS = Math.min(seconds * 1000, 8000);
  let timer = null;

  function current() {
    return document.getElementById("board-live");
  }

  function finishedNumbers(live) {
    const numbers = new Set();
    live.querySelectorAll("tr[data-state=finished], tr[data-state=closed]").forEach(function (row) {
      numbers.add(row.dataset.number);
    });
    return numbers;
  }

  function say(stale) {
    const live = current();
    if (statusText) statusText.textContent = stale ? board.dataset.textStale : board.dataset.textUpdated;
    if (statusTime && live) statusTime.textContent = live.dataset.updated || "";
    if (statusLine) statusLine.classList.toggle("stale", stale);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, seconds * 1000);
  }

  function swap(html) {
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.querySelector("#board-live");
    const live = current();
    if (!fresh || !live) throw new Error("no rows in the answer");
    const before = finishedNumbers(live);
    live.replaceWith(fresh);
    fresh.querySelectorAll("tr[data-state=finished], tr[data-state=closed]").forEach(function (row) {
      if (!before.has(row.dataset.number)) row.classList.add("fresh");
    });
    return fresh.dataset.live !== "0";
  }

  function poll() {
    if (document.hidden) return; // picked up again when the screen is shown
    const controller = window.AbortController ? new AbortController() : null;
    const abort = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch(url, {
      headers: { Accept: "text/html" },
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (abort) clearTimeout(abort);
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        const more = swap(html);
        say(false);
        if (more) schedule();
      })
      .catch(function () {
        if (abort) clearTimeout(abort);
        say(true); // keep the last rows
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });
  const live = current();
  if (live && live.dataset.live !== "0") schedule();
})();
