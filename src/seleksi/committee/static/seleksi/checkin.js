// The check-in page's QR reader and its small comforts. Without this file the page works by
// typing the participant number.
//
// "Scan QR" opens the rear camera (getUserMedia), draws frames onto a canvas a few times a
// second and reads them with the browser's BarcodeDetector where there is one, otherwise with
// the vendored jsQR (loaded only then, from the form's data-qr-library address). The exam
// card's QR code holds the address .../verifikasi/<token>, token "k…": the token goes into
// the box and the form is sent, as if typed. The button stays hidden where no reader can work:
// no camera API, not a secure context (https or localhost), or neither BarcodeDetector nor the
// vendored library.
//
// After htmx swaps the result, the box is emptied and focused for the next participant.
(function () {
  "use strict";
  const form = document.getElementById("lookup");
  if (!form) return;
  const box = form.querySelector("input[name=kode]");
  const scanButton = document.getElementById("scan");
  const scanner = document.getElementById("scanner");
  const video = scanner ? scanner.querySelector("video") : null;
  const stopButton = document.getElementById("scan-stop");
  const status = document.getElementById("scan-status");
  const texts = form.dataset;
  const libraryUrl = texts.qrLibrary || "";
  const FRAME_MS = 200; // five reads a second: enough for a card held still, easy on a cheap phone
  const FRAME_WIDTH = 640;

  function say(text) {
    if (status) status.textContent = text || "";
  }

  // "https://host/verifikasi/kAbC…" (or the bare token) → "kAbC…"; null for anything else,
  // such as an account card ("a…") or another site's code.
  function tokenFrom(text) {
    let path = String(text || "").trim();
    try {
      path = new URL(path).pathname;
    } catch (error) {
      // not an address: perhaps the bare token
    }
    const match =
      /(?:^|\/)verifikasi\/(k[A-Za-z0-9_-]+)\/?$/.exec(path) || /^(k[A-Za-z0-9_-]{16,})$/.exec(path);
    return match ? match[1] : null;
  }
  window.seleksiCheckinToken = tokenFrom;

  function submit() {
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  // --- after a swap: ready for the next participant -------------------------------------
  document.body.addEventListener("htmx:afterSettle", function () {
    const result = document.getElementById("checkin-result");
    if (!result) return;
    const state = result.dataset.state;
    if (state === "done") {
      box.value = "";
      box.focus();
    } else if (state === "refused" && !result.querySelector(".checkin-participant")) {
      box.focus();
      box.select();
    } else if (state === "found" || state === "refused") {
      box.value = "";
    }
  });

  // --- the QR reader --------------------------------------------------------------------
  const canUseCamera = !!(
    window.isSecureContext &&
    navigator.mediaDevices &&
    typeof navigator.mediaDevices.getUserMedia === "function"
  );
  if (!scanButton || !scanner || !video || !canUseCamera) return;
  if (!("BarcodeDetector" in window) && !libraryUrl) return;

  async function barcodeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) return null;
      return new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      return null;
    }
  }

  let library = null;
  function loadLibrary() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!libraryUrl) return Promise.resolve(null);
    if (!library) {
      library = new Promise(function (resolve) {
        const script = document.createElement("script");
        script.src = libraryUrl;
        script.onload = function () {
          resolve(window.jsQR || null);
        };
        script.onerror = function () {
          library = null;
          resolve(null);
        };
        document.head.appendChild(script);
      });
    }
    return library;
  }

  // A function (canvas, context) → the QR code's text or null, or null when nothing can read.
  async function reader() {
    const detector = await barcodeDetector();
    if (detector) {
      return async function (canvas) {
        const codes = await detector.detect(canvas);
        return codes.length ? codes[0].rawValue : null;
      };
    }
    const jsQR = await loadLibrary();
    if (jsQR) {
      return function (canvas, context) {
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
        return code ? code.data : null;
      };
    }
    return null;
  }

  let stream = null;
  let running = false;

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    scanner.hidden = true;
    scanButton.disabled = false;
  }

  async function start() {
    scanButton.disabled = true;
    say(texts.msgStarting);
    const read = await reader();
    if (!read) {
      // the vendored reader did not load (a slow or broken connection): it may next time
      const retry = !!libraryUrl && !window.jsQR;
      say(retry ? texts.msgNoLibrary : texts.msgNoReader);
      scanButton.hidden = !retry;
      scanButton.disabled = false;
      box.focus();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      say(texts.msgNoCamera);
      scanButton.disabled = false;
      box.focus();
      return;
    }
    scanner.hidden = false;
    video.srcObject = stream;
    try {
      await video.play();
    } catch (error) {
      // autoplay of a muted inline video is allowed; the frames are read even if play() complains
    }
    running = true;
    say(texts.msgPoint);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let last = 0;
    async function frame(now) {
      if (!running) return;
      if (now - last >= FRAME_MS && video.readyState >= 2 && video.videoWidth) {
        last = now;
        const scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        let text = null;
        try {
          text = await read(canvas, context);
        } catch (error) {
          text = null;
        }
        if (!running) return;
        if (text) {
          const token = tokenFrom(text);
          if (token) {
            stop();
            say("");
            box.value = token;
            submit();
            return;
          }
          say(texts.msgNotCard);
        }
      }
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  }

  scanButton.hidden = false;
  scanButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    say("");
    box.focus();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && running) stop();
  });
})();
