// The batch form: until the officer edits a ratio, the ratios per stratum follow the defaults of the item
// with the highest default ratio among those ticked (each checkbox carries its item's defaults, computed
// on the server by inspections.pools.default_ratios, so nothing is recomputed here).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("batch-form");
  if (!form) return;
  const boxes = Array.from(form.querySelectorAll("input[data-default-ratio]"));
  const inputs = Array.from(form.querySelectorAll("input[data-stratum]"));
  let edited = false;
  inputs.forEach((input) => input.addEventListener("input", () => { edited = true; }));
  boxes.forEach((box) => box.addEventListener("change", () => {
    const ticked = boxes.filter((b) => b.checked);
    if (edited || !ticked.length) return;
    const highest = ticked.reduce((a, b) => (Number(b.dataset.defaultRatio) > Number(a.dataset.defaultRatio) ? b : a));
    const ratios = JSON.parse(highest.dataset.ratios);
    inputs.forEach((input) => { input.value = ratios[input.dataset.stratum]; });
  }));
});
