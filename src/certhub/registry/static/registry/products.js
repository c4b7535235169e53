/* CertHub /products/: read a product's barcode (EAN-13, EAN-8, UPC-A) with the camera and search by its
   GTIN. The page works without this file (type the digits, or choose a photo and submit). With it, where
   the browser lets us use the camera: the browser's own BarcodeDetector reads the frames when it knows
   these formats; otherwise a frame is sent now and then to the server (/products/scan/), which reads it
   with zxing-cpp. A chosen photo is sent at once. */
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
    var photoForm = document.querySelector("form[data-product-photo]");
    var file = photoForm ? photoForm.querySelector("input[type=file][name=image]") : null;
    var token = photoForm ? photoForm.querySelector("input[name=csrfmiddlewaretoken]") : null;
    var stream = null;
    var timer = null;
    var busy = false;

    // A chosen or freshly taken photo is read straight away.
    if (file) {
      file.addEventListener("change", function () {
        if (file.files && file.files.length) submit(photoForm);
      });
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !scanner) return;
    scanner.hidden = false;

    function say(key) {
      status.textContent = status.getAttribute("data-" + key) || "";
    }

    function submit(target) {
      if (target.requestSubmit) target.requestSubmit();
      else target.submit();
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

    // Only the GTIN searches: the other criteria typed before would narrow it to nothing.
    function found(digits) {
      stop();
      say("found");
      form.querySelectorAll("input[name]").forEach(function (input) {
        if (input !== gtin) input.value = "";
      });
      gtin.value = digits;
      submit(form);
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
      var url = form.getAttribute("data-scan-url");
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

  document.querySelectorAll("form[data-product-search]").forEach(init);
})();
