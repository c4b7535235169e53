// Uploading a file (licensing materials, a toolbox dataset) with a progress bar: the form is sent with
// XMLHttpRequest so that its upload progress events can move the bar; the server answers such a request with
// JSON (where to go next, or the refusal with its field and reason). Without this file the form is an
// ordinary POST and the page shows the same refusal next to the field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    const bar = form.querySelector("progress");
    const status = form.querySelector("[data-upload-status]");
    form.addEventListener("submit", (event) => {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.setRequestHeader("Accept", "application/json");
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) button.disabled = true;
      form.querySelectorAll(".field-errors.from-upload").forEach((list) => list.remove());
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable || !bar) return;
        bar.value = Math.round((progress.loaded / progress.total) * 100);
        if (status) status.textContent = `${bar.value}%`;
      });
      request.addEventListener("load", () => {
        if (button) button.disabled = false;
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
        if (request.status < 400 && answer.location) {
          window.location.assign(answer.location);
          return;
        }
        if (bar) bar.hidden = true;
        const errors = answer.errors || { "": [form.dataset.uploadFailed] };
        Object.entries(errors).forEach(([name, messages]) => {
          const input = form.querySelector(`[name="${name}"]`) || form.querySelector("input[type=file]");
          const list = document.createElement("ul");
          list.className = "field-errors from-upload";
          list.setAttribute("role", "alert");
          messages.forEach((message) => {
            const item = document.createElement("li");
            item.textContent = message;
            list.appendChild(item);
          });
          input.closest(".field").appendChild(list);
        });
        if (status) status.textContent = "";
      });
      request.addEventListener("error", () => {
        if (button) button.disabled = false;
        if (status) status.textContent = form.dataset.uploadFailed;
      });
      request.send(new FormData(form));
    });
  });
});
