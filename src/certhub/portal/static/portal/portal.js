/* CertHub portal: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Filter forms that htmx does not drive are submitted as soon as a select changes.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.tagName !== "SELECT") return;
    var form = target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  });

  // A terminal status (withdrawn, cancelled, expired) cannot be undone: ask once before sending it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var select = form.querySelector && form.querySelector("select[data-final-statuses]");
    if (!select) return;
    var finals = select.getAttribute("data-final-statuses").split(",");
    if (finals.indexOf(select.value) >= 0 && !window.confirm(select.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
