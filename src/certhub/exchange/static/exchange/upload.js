/* Upload with a progress bar: the form still works without this file (a plain multipart POST). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || !window.FormData) return;
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files.length) return; // let the server say the file is required
    event.preventDefault();
    var box = form.querySelector("[data-upload-progress]");
    var bar = form.querySelector("[data-upload-bar]");
    var text = form.querySelector("[data-upload-text]");
    var button = form.querySelector("button[type=submit]");
    box.hidden = false;
    button.disabled = true;
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round((100 * e.loaded) / e.total);
      bar.value = percent;
      text.textContent = text.getAttribute("data-uploading") + " " + percent + "%";
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate while the server validates and applies
      text.textContent = text.getAttribute("data-processing");
    });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      text.textContent = "";
      box.hidden = true;
      form.submit();
    });
    request.send(new FormData(form));
  });
})();
