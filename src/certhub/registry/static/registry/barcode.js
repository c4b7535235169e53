/* CertHub's barcode scanner: reads a product's barcode (EAN-13, EAN-8, UPC-A) with the phone's camera and
   puts its digits into a field. Any page may use it by markup alone (the products search, an inspector's
   on-site check):

     <div class="scanner" hidden data-barcode-scanner data-scan-url="/products/scan/"
          data-target="#id_gtin" data-submit data-clear-others>
       <button type="button" data-scan-start>…</button> <button type="button" data-scan-stop hidden>…</button>
       <video data-scan-video playsinline muted hidden></video>
       <p data-scan-status role="status" data-starting="…" data-looking="…" data-found="…" data-denied="…"></p>
     </div>

   data-target: the input the digits go into; data-submit: then submit that input's form; data-clear-others:
   first empty the form's other fields (a scan searches by the barcode alone). Either way the scanner
   dispatches a bubbling "barcode" event with detail {gtin}. Where the browser has a BarcodeDetector that
   knows the three formats it reads the frames itself; otherwise a frame is sent now and then to
   data-scan-url (the server reads it with zxing-cpp), with the page's CSRF token. A file input with
   data-submit-on-choose submits its form as soon as a photo is chosen or taken. The page works without this
   file: the scanner stays hidden. */
(function () {
  "use strict";

  var SCAN_INTERVAL_MS = 250;
  var UPLOAD_INTERVAL_MS = 700;
  var MAX_FRAME_WIDTH = 1280; // a barcode's bars need more pixels across than a QR code's modules
  var FORMATS = ["ean_13", "ean_8", "upc_a"];

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function init(scanner) {
    var startButton = scanner.querySelector("[data-scan-start]");
    var stopButton = scanner.querySelector("[data-scan-stop]");
    var video = scanner.querySelector("[data-scan-video]");
    var status = scanner.querySelector("[data-scan-status]");
    var target = document.querySelector(scanner.getAttribute("data-target"));
    var url = scanner.getAttribute("data-scan-url");
    var stream = null;
    var timer = null;
    var busy = false;

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !target) return;
    scanner.hidden = false;

    function say(key) {
      status.textContent = status.getAttribute("data-" + key) || "";
    }

    function stop() {
      if (timer) window.clearTimeout(timer);
      timer = null;
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }

    function found(digits) {
      stop();
      say("found");
      var form = target.form;
      if (form && scanner.hasAttribute("data-clear-others")) {
        Array.prototype.forEach.call(form.elements, function (field) {
          if (field !== target && field.name && (field.type === "text" || field.type === "search")) field.value = "";
        });
      }
      target.value = digits;
      scanner.dispatchEvent(new CustomEvent("barcode", { bubbles: true, detail: { gtin: digits } }));
      if (form && scanner.hasAttribute("data-submit")) submit(form);
    }

    function detectWith(detector) {
      function tick() {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          var code = codes.find(function (c) { return /^\d{8,14}$/.test(c.rawValue || ""); });
          if (code) found(code.rawValue);
          else timer = window.setTimeout(tick, SCAN_INTERVAL_MS);
        }, function () {
          timer = window.setTimeout(tick, SCAN_INTERVAL_MS);
        });
      }
      tick();
    }

    function uploadFrames() {
      var canvas = document.createElement("canvas");
      function tick() {
        if (!stream) return;
        if (busy || !video.videoWidth) {
          timer = window.setTimeout(tick, UPLOAD_INTERVAL_MS);
          return;
        }
        var scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
        busy = true;
        canvas.toBlob(function (blob) {
          var body = new FormData();
          body.append("image", blob, "frame.jpg");
          fetch(url, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken() },
          })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (answer) {
              busy = false;
              if (answer && answer.gtin) found(answer.gtin);
              else timer = window.setTimeout(tick, UPLOAD_INTERVAL_MS);
            }, function () {
              busy = false;
              timer = window.setTimeout(tick, UPLOAD_INTERVAL_MS);
            });
        }, "image/jpeg", 0.9);
      }
      tick();
    }

    function start() {
      say("starting");
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (opened) {
          stream = opened;
          video.srcObject = stream;
          video.hidden = false;
          startButton.hidden = true;
          stopButton.hidden = false;
          return video.play();
        })
        .then(function () {
          say("looking");
          if (!("BarcodeDetector" in window)) return uploadFrames();
          return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
            var usable = FORMATS.filter(function (f) { return formats.indexOf(f) >= 0; });
            if (usable.length === FORMATS.length) detectWith(new window.BarcodeDetector({ formats: usable }));
            else uploadFrames();
          });
        })
        .catch(function () {
          stop();
          say("denied");
        });
    }

    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", function () {
      stop();
      status.textContent = "";
    });
    window.addEventListener("pagehide", stop);
  }

  // A chosen or freshly taken photo is sent at once.
  document.querySelectorAll("input[type=file][data-submit-on-choose]").forEach(function (file) {
    file.addEventListener("change", function () {
      if (file.files && file.files.length && file.form) submit(file.form);
    });
  });
  document.querySelectorAll("[data-barcode-scanner]").forEach(init);
})();
