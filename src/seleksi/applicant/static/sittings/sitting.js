// The participant's test page (ujian CAT): one question at a time, drawn from the JSON the
// page embeds (#cat-data), every answer saved on the server as it is given.
//
// - The clock is the server's: the page starts from the seconds left when it was drawn and
//   each answer request brings them again; in between it counts down on the browser's
//   monotonic clock (performance.now), never on its wall clock.
// - Every change (an option, "clear", "mark for review") gets the next sequence number of this
//   sitting and goes into a queue kept in localStorage with the counter, so a reload, a closed
//   tab or a lost connection loses nothing. The queue is sent at once, again every few
//   seconds and when the browser says it is online; an item leaves it when the server answers
//   "saved" or "stale". "late" and "refused" leave it too, and their question numbers are
//   listed on the page.
// - What the browser alone knows (page opened, question shown, connection lost and back) is
//   reported in the same requests.
// - When the time is up the page stops taking answers, sends what it holds and goes to the
//   result page, which waits for the server to close the test.
(function () {
  "use strict";
  const app = document.getElementById("cat-app");
  const dataNode = document.getElementById("cat-data");
  if (!app || !dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const texts = data.texts;
  const questions = data.questions;
  if (!questions.length) return;
  const csrf = app.dataset.csrf;
  const byId = new Map(questions.map(function (q) { return [q.id, q]; }));

  const RETRY_MS = 5000; // a failed send is tried again this often (and at once when online)
  const SYNC_MS = 30000; // with nothing to send, the clock is checked this often
  const TIMEOUT_MS = 15000;
  const BATCH = 200; // the server takes at most this many answers and events per request
  const EVENTS_KEPT = 500;
  const LEAVE_AFTER_MS = 15000; // when time is up, how long to try sending before leaving
  const WARN_MINUTES = [10, 5, 1];

  const $ = function (id) { return document.getElementById(id); };
  const position = $("cat-position");
  const timer = $("cat-timer");
  const banner = $("cat-banner");
  const announce = $("cat-announce");
  const textNode = $("cat-text");
  const image = $("cat-image");
  const optionsNode = $("cat-options");
  const markButton = $("cat-mark");
  const clearButton = $("cat-clear");
  const prevButton = $("cat-prev");
  const nextButton = $("cat-next");
  const saveState = $("cat-save-state");
  const notSavedBox = $("cat-not-saved");
  const notSavedList = $("cat-not-saved-list");
  const grid = $("cat-grid");
  const finishButton = $("cat-finish");
  const finishBlocked = $("cat-finish-blocked");

  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  // --- what this browser keeps for the sitting ---------------------------------------------
  const STORE = "seleksi-sitting-" + data.sitting;
  let store = { seq: 0, at: 0, queue: [], events: [], notSaved: [] };
  try {
    const kept = JSON.parse(window.localStorage.getItem(STORE) || "null");
    if (kept && typeof kept === "object") store = Object.assign(store, kept);
  } catch (error) {
    // no storage (a private window): the queue lives in memory only
  }
  store.seq = Math.max(Number(store.seq) || 0, Number(data.sequence) || 0);
  store.queue = (Array.isArray(store.queue) ? store.queue : []).filter(function (item) {
    return byId.has(item.q);
  });
  store.events = Array.isArray(store.events) ? store.events : [];
  store.notSaved = Array.isArray(store.notSaved) ? store.notSaved : [];

  function persist() {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(store));
    } catch (error) {
      // full or unavailable: the answers still go to the server from memory
    }
  }
  function forget() {
    try {
      window.localStorage.removeItem(STORE);
    } catch (error) {
      // nothing kept
    }
  }

  const answers = {};
  Object.keys(data.answers).forEach(function (key) {
    answers[key] = { o: data.answers[key].o, m: !!data.answers[key].m };
  });
  store.queue.forEach(function (item) {
    answers[item.q] = { o: item.o, m: item.m };
  });
  function answerOf(id) {
    return answers[id] || { o: "", m: false };
  }

  function logEvent(kind, question) {
    store.events.push({ k: kind, q: question === undefined ? null : question, t: Date.now() });
    if (store.events.length > EVENTS_KEPT) store.events.splice(0, store.events.length - EVENTS_KEPT);
    persist();
  }

  // --- the clock ------------------------------------------------------------------------------
  let deadline = performance.now() + Number(data.remaining) * 1000;
  let ended = false;
  const warned = {};

  function left() {
    return Math.max(0, deadline - performance.now());
  }
  function clockText(ms) {
    const total = Math.ceil(ms / 1000);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    const two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (hours ? hours + ":" + two(minutes) : two(minutes)) + ":" + two(seconds);
  }
  function tick() {
    const ms = left();
    timer.textContent = clockText(ms);
    timer.parentNode.classList.toggle("cat-low", ms <= 5 * 60 * 1000);
    WARN_MINUTES.forEach(function (minutes) {
      if (!warned[minutes] && ms <= minutes * 60000 && ms > (minutes - 1) * 60000) {
        warned[minutes] = true;
        announce.textContent = fill(texts.warning, { minutes: minutes });
      }
    });
    if (ms <= 0 && !ended) timeUp();
  }

  // --- showing a question ---------------------------------------------------------------------
  let current = Math.min(Math.max(Number(store.at) || 0, 0), questions.length - 1);
  const cells = [];

  function optionRow(question, option, chosen) {
    const label = document.createElement("label");
    label.className = "cat-option";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "cat-option";
    input.value = option.key;
    input.checked = chosen === option.key;
    input.disabled = ended;
    input.addEventListener("change", function () {
      if (input.checked) give(question.id, option.key, answerOf(question.id).m);
    });
    const letter = document.createElement("span");
    letter.className = "cat-option-label";
    letter.textContent = option.label + ".";
    const words = document.createElement("span");
    words.className = "cat-option-text";
    words.textContent = option.text;
    label.append(input, letter, words);
    return label;
  }

  function show(index, quiet) {
    current = index;
    store.at = index;
    const question = questions[index];
    const held = answerOf(question.id);
    position.textContent =
      fill(texts.position, { n: question.n, total: questions.length }) +
      (data.components[question.component] ? " · " + data.components[question.component] : "");
    textNode.textContent = question.text;
    if (question.image) {
      image.src = question.image;
      image.alt = fill(texts.image, { n: question.n });
      image.hidden = false;
    } else {
      image.hidden = true;
      image.removeAttribute("src");
    }
    optionsNode.replaceChildren.apply(
      optionsNode,
      question.options.map(function (option) { return optionRow(question, option, held.o); })
    );
    markButton.setAttribute("aria-pressed", held.m ? "true" : "false");
    prevButton.disabled = index === 0;
    nextButton.disabled = index === questions.length - 1;
    cells.forEach(function (cell, at) {
      if (at === index) cell.setAttribute("aria-current", "step");
      else cell.removeAttribute("aria-current");
    });
    if (!quiet) logEvent("shown", question.id);
    else persist();
  }

  function paintCell(question) {
    const cell = cells[question.n - 1];
    const held = answerOf(question.id);
    const states = [held.o ? texts.answered : texts.unanswered];
    if (held.m) states.push(texts.marked);
    cell.classList.toggle("cat-answered", !!held.o);
    cell.classList.toggle("cat-marked", !!held.m);
    cell.querySelector(".cat-mark-sign").textContent = held.m ? "?" : "";
    cell.setAttribute("aria-label", fill(texts.grid_item, { n: question.n, state: states.join(", ") }));
  }

  function buildGrid() {
    questions.forEach(function (question, index) {
      const item = document.createElement("li");
      const cell = document.createElement("button");
      cell.type = "button";
      cell.className = "cat-cell";
      cell.textContent = String(question.n);
      const sign = document.createElement("span");
      sign.className = "cat-mark-sign";
      sign.setAttribute("aria-hidden", "true");
      cell.append(sign);
      cell.addEventListener("click", function () {
        show(index);
        textNode.scrollIntoView({ block: "nearest" });
      });
      item.append(cell);
      grid.append(item);
      cells.push(cell);
      paintCell(question);
    });
  }

  // --- giving an answer -----------------------------------------------------------------------
  function give(questionId, option, marked) {
    if (ended) return;
    store.seq += 1;
    answers[questionId] = { o: option, m: marked };
    store.queue = store.queue.filter(function (item) { return item.q !== questionId; });
    store.queue.push({ q: questionId, o: option, m: marked, s: store.seq });
    persist();
    paintCell(byId.get(questionId));
    markButton.setAttribute("aria-pressed", marked ? "true" : "false");
    showSaveState();
    send();
  }

  markButton.addEventListener("click", function () {
    const question = questions[current];
    const held = answerOf(question.id);
    give(question.id, held.o, !held.m);
  });
  clearButton.addEventListener("click", function () {
    const question = questions[current];
    const held = answerOf(question.id);
    if (!held.o) return;
    give(question.id, "", held.m);
    optionsNode.querySelectorAll("input").forEach(function (input) { input.checked = false; });
  });
  prevButton.addEventListener("click", function () { if (current > 0) show(current - 1); });
  nextButton.addEventListener("click", function () {
    if (current < questions.length - 1) show(current + 1);
  });

  // --- talking to the server ------------------------------------------------------------------
  let inFlight = false;
  let lastTry = 0;
  let offline = false;
  let blocked = ""; // a problem a retry will not cure on its own (signed out, page too old)

  function say(text, kind) {
    if (!text) {
      banner.hidden = true;
      return;
    }
    banner.textContent = text;
    banner.className = "alert cat-banner alert-" + kind;
    banner.hidden = false;
  }
  function showSaveState() {
    if (inFlight) saveState.textContent = texts.saving;
    else if (store.queue.length) saveState.textContent = fill(texts.pending, { count: store.queue.length });
    else saveState.textContent = texts.saved;
  }
  function showNotSaved() {
    notSavedList.replaceChildren.apply(
      notSavedList,
      store.notSaved.map(function (entry) {
        const item = document.createElement("li");
        item.textContent = fill(texts.not_saved_item, entry);
        return item;
      })
    );
    notSavedBox.hidden = store.notSaved.length === 0;
  }

  function wentOffline() {
    if (offline) return;
    offline = true;
    logEvent("offline");
    say(texts.offline, "warning");
  }
  function cameBack() {
    if (!offline) return;
    offline = false;
    logEvent("online");
    say(texts.online, "success");
    window.setTimeout(function () { if (!offline && !blocked) say(""); }, 8000);
  }

  function settle(body, sentEvents, sentAt) {
    store.events.splice(0, sentEvents);
    (body.results || []).forEach(function (result) {
      const at = store.queue.findIndex(function (item) {
        return item.q === result.q && item.s === result.s;
      });
      if (at >= 0) store.queue.splice(at, 1);
      if (typeof result.held === "number" && result.held > store.seq) store.seq = result.held;
      if (result.r === "late" || result.r === "refused") {
        const question = byId.get(result.q);
        store.notSaved = store.notSaved.filter(function (entry) {
          return entry.q !== result.q;
        });
        store.notSaved.push({ q: result.q, n: question ? question.n : result.q, message: result.message });
      }
    });
    if (typeof body.remaining === "number") deadline = sentAt + body.remaining * 1000;
    persist();
    showNotSaved();
    if (body.status === "finished") leave();
  }

  function send() {
    if (inFlight || blocked) return Promise.resolve(false);
    inFlight = true;
    lastTry = performance.now();
    const sentAnswers = store.queue.slice(0, BATCH);
    const sentEvents = Math.min(store.events.length, BATCH);
    const payload = {
      answers: sentAnswers.map(function (item) { return { q: item.q, o: item.o, m: item.m, s: item.s }; }),
      events: store.events.slice(0, sentEvents),
    };
    const sentAt = performance.now();
    const controller = "AbortController" in window ? new AbortController() : null;
    const timeout = window.setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    showSaveState();
    return fetch(data.urls.answers, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === 0) {
          return response.json().then(function (body) {
            cameBack();
            settle(body, sentEvents, sentAt);
            // answers given while this request was out go at once, not at the next retry,
            // and so does the news that the connection is back
            const more = store.queue.length && (body.results || []).length;
            if (more || store.events.length) window.setTimeout(send, 0);
            return true;
          });
        }
        cameBack();
        if (response.redirected || response.status === 403) {
          blocked = texts.signed_out;
        } else if (response.status === 400 || response.status === 404 || response.status === 413) {
          blocked = texts.broken;
        }
        if (blocked) say(blocked, "error");
        return false;
      })
      .catch(function () {
        wentOffline();
        return false;
      })
      .finally(function () {
        window.clearTimeout(timeout);
        inFlight = false;
        showSaveState();
      });
  }

  window.addEventListener("online", function () { send(); });
  window.addEventListener("offline", wentOffline);

  // --- time up, finishing ---------------------------------------------------------------------
  let leaving = false;
  function leave() {
    if (leaving) return;
    leaving = true;
    forget();
    window.location.assign(data.urls.result);
  }

  function flush(untilMs) {
    const stop = performance.now() + untilMs;
    return new Promise(function (resolve) {
      (function again() {
        if (!store.queue.length && !inFlight) return resolve(true);
        if (performance.now() > stop || blocked) return resolve(false);
        send().then(function () { window.setTimeout(again, store.queue.length ? 1000 : 0); });
      })();
    });
  }

  function timeUp() {
    ended = true;
    app.classList.add("cat-ended");
    app.querySelectorAll(".cat-question input, .cat-question button, #cat-finish").forEach(function (el) {
      el.disabled = true;
    });
    say(texts.time_up, "warning");
    flush(LEAVE_AFTER_MS).then(leave);
  }

  finishButton.addEventListener("click", function () {
    if (ended) return;
    finishButton.disabled = true;
    finishBlocked.hidden = true;
    saveState.textContent = texts.finishing;
    flush(TIMEOUT_MS).then(function (done) {
      finishButton.disabled = false;
      if (done) {
        forget();
        window.location.assign(data.urls.finish);
      } else {
        finishBlocked.textContent = texts.finish_pending;
        finishBlocked.hidden = false;
      }
    });
  });

  // --- start ----------------------------------------------------------------------------------
  app.hidden = false;
  buildGrid();
  show(current, true);
  showNotSaved();
  showSaveState();
  logEvent("opened");
  logEvent("shown", questions[current].id);
  tick();
  send();
  window.setInterval(function () {
    tick();
    if (inFlight || blocked || ended) return;
    const since = performance.now() - lastTry;
    if ((store.queue.length && since >= RETRY_MS) || since >= SYNC_MS) send();
  }, 1000);
})();
