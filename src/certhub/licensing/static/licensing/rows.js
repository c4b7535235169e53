// Rows of an application form (scope rows, signatories, products): "添加一行" adds one more empty row in
// the page. Without this file the same button sends the form and the server answers it with one more row
// (licensing.views.applicant), so the form works without JavaScript, one row at a time.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-add-row]").forEach((button) => {
    const prefix = button.dataset.addRow;
    const template = document.getElementById(`${prefix}-empty`);
    const list = document.getElementById(`${prefix}-rows`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    if (!template || !list || !total) return;
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const index = Number(total.value);
      const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const added = list.lastElementChild;
      const first = added && added.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });
});
