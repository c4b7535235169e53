/* CertHub on-site check (/market/check/): read a product's barcode with the phone's camera and check it at
   once. The page works without this file (type the digits under the barcode and submit). With it, where the
   browser lets us use the camera: the browser's own BarcodeDetector reads the frames when it knows EAN/UPC;
   otherwise a frame is sent now and then to the server (the form's data-scan-url: the product search's
   /products/scan/, which reads it with zxing-cpp and answers {"gtin": digits}). The camera and frame handling
   are those of registry's products.js; here the GTIN found is checked at once, keeping the shop typed. */
(function () {
  "use strict";

  var SCAN_INTERVAL_MS = 250;
  var UPLOAD_INTERVAL_MS = 700;
  var MAX_FRAME_WIDTH = 1280; // a barcode's bars need more pixels across than a QR code's modules
  var FORMATS = ["ean_13", "ean_8", "upc_a"];

  function init(form) {
    var scanner = form.querySelector("[data-scanner]");
    var startButton = form.querySelector("[data-scan-start]");
    var stopButton = form.querySelector("[data-scan-stop]");
    var video = form.querySelector("[data-scan-video]");
    var status = form.querySelector("[data-scan-status]");
    var gtin = form.querySelector("input[name=gtin]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var url = form.getAttribute("data-scan-url");
    var stream = null;
    var timer = null;
    var busy = false;

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !scanner || !gtin) return;
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
      gtin.value = digits;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
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
            headers: { "X-CSRFToken": token ? token.value : "" },
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
          if (!("BarcodeDetector" in window)) return url ? uploadFrames() : undefined;
          return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
            var usable = FORMATS.filter(function (f) { return formats.indexOf(f) >= 0; });
            if (usable.length === FORMATS.length) detectWith(new window.BarcodeDetector({ formats: usable }));
            else if (url) uploadFrames();
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

  document.querySelectorAll("form[data-onsite]").forEach(init);
})();
