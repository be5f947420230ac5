// Small behaviours shared by all pages; kept out of the templates so the CSP can forbid inline scripts.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
