// The report pages: the print button (the Content-Security-Policy allows no inline script).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
