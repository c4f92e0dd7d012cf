// The receipt's "Print" button: shown only when this script runs (without it, the browser's own print
// command still uses the print stylesheet).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
