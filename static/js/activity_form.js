// Activity form: funding lines added and removed without a reload; objective lists narrowed to a pillar.
(() => {
  const form = document.getElementById("activity-form");
  if (!form) return;

  const rows = document.getElementById("funding-rows");
  const template = document.getElementById("funding-empty");
  const total = form.querySelector("input[name='funding-TOTAL_FORMS']");
  const emptyNote = document.getElementById("funding-empty-note");

  const refreshNote = () => {
    const visible = rows.querySelectorAll(".funding-row:not([hidden])").length;
    emptyNote.hidden = visible > 0;
  };

  const addFunding = document.getElementById("add-funding");
  addFunding.addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    rows.lastElementChild.querySelector("select, input")?.focus();
    refreshNote();
  });
  addFunding.disabled = false; // rendered disabled: a click before this script ran would do nothing

  rows.addEventListener("click", (event) => {
    const button = event.target.closest(".remove-funding");
    if (!button) return;
    const row = button.closest(".funding-row");
    row.querySelector(".funding-delete").checked = true;
    row.hidden = true;
    refreshNote();
  });
  rows.querySelectorAll(".funding-row").forEach((row) => {
    if (row.querySelector(".funding-delete")?.checked) row.hidden = true;
  });

  const pillar = form.querySelector("select[name='pillar']");
  const narrow = () => {
    const code = pillar.value;
    form.querySelectorAll("select[name='primary_objective'] option[data-pillar]").forEach((option) => {
      const hide = Boolean(code) && option.dataset.pillar !== code;
      option.hidden = hide;
      option.disabled = hide && !option.selected;
    });
  };
  pillar?.addEventListener("change", narrow);
  narrow();
})();
