/* CertHub /verify/: read a certificate's QR code with the camera. The page works without this file
   (paste the text, or choose a photo, and submit). With it, where the browser lets us use the camera:
   the browser's own BarcodeDetector reads the frames when it has one; otherwise a frame is sent now and
   then to the server (/verify/scan/), which reads it with zxing-cpp. A chosen photo is sent at once. */
(function () {
  "use strict";

  var SCAN_INTERVAL_MS = 250;
  var UPLOAD_INTERVAL_MS = 700;
  var MAX_FRAME_WIDTH = 960;

  function init(form) {
    var scanner = form.querySelector("[data-scanner]");
    var startButton = form.querySelector("[data-scan-start]");
    var stopButton = form.querySelector("[data-scan-stop]");
    var video = form.querySelector("[data-scan-video]");
    var status = form.querySelector("[data-scan-status]");
    var textarea = form.querySelector("textarea[name=qr]");
    var file = form.querySelector("input[type=file][name=image]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var stream = null;
    var timer = null;
    var busy = false;

    // A chosen or freshly taken photo is checked straight away.
    if (file) {
      file.addEventListener("change", function () {
        if (file.files && file.files.length) submit();
      });
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !scanner) return;
    scanner.hidden = false;

    function say(key) {
      status.textContent = status.getAttribute("data-" + key) || "";
    }

    function submit() {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
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

    function found(text) {
      stop();
      say("found");
      textarea.value = text;
      if (file) file.value = "";
      submit();
    }

    function detectWith(detector) {
      function tick() {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          if (codes.length && codes[0].rawValue) found(codes[0].rawValue);
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
              if (answer && answer.qr) found(answer.qr);
              else timer = window.setTimeout(tick, UPLOAD_INTERVAL_MS);
            }, function () {
              busy = false;
              timer = window.setTimeout(tick, UPLOAD_INTERVAL_MS);
            });
        }, "image/jpeg", 0.85);
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
            if (formats.indexOf("qr_code") >= 0) detectWith(new window.BarcodeDetector({ formats: ["qr_code"] }));
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

  document.querySelectorAll("form[data-verify]").forEach(init);
})();
