/* The project dialog, on the board and on the archive page: htmx swaps a panel or a form into
 * #dialog-body, which opens the dialog (modal: the keyboard stays inside it); a finished form
 * closes it ("wallchart:done"). The project form shows the foreign capital only for a
 * foreign-invested project. A stage gate's "today" button fills its date field. */
(function () {
  "use strict";

  const dialog = document.getElementById("dialog");
  const dialogBody = document.getElementById("dialog-body");
  if (!dialog || !dialogBody) return;

  function showForeignCapital(form) {
    const box = form.querySelector("input[type=checkbox][name=foreign_invested]");
    const capital = form.querySelector("[data-foreign-capital]");
    if (!box || !capital) return;
    if (!box.checked) {
      const input = capital.querySelector("input");
      // Unticked means no foreign capital: an amount left behind would be refused.
      if (input && !input.hasAttribute("aria-invalid")) input.value = "";
    }
    capital.hidden = !box.checked && !capital.querySelector("[aria-invalid=true]");
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== dialogBody) return;
    if (!dialog.open) dialog.showModal();
    // Keep the keyboard in the dialog: on what asks for it, else on its first control.
    const focus = ["[aria-invalid=true]", "[autofocus]",
      "select, input:not([type=hidden]), textarea, button, summary"]
      .map(function (selector) { return dialogBody.querySelector(selector); })
      .find(Boolean);
    if (focus) focus.focus();
  });
  document.body.addEventListener("wallchart:done", function () {
    dialog.close();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) dialog.close();
    // A stage gate's "today": the date field just before the button (here and in the drop
    // dialog), filled only when the person asks for it.
    const today = event.target.closest("[data-today]");
    if (today) {
      const input = today.previousElementSibling.querySelector("input");
      input.value = today.dataset.today;
      input.focus();
    }
  });
  dialogBody.addEventListener("change", function (event) {
    if (event.target.name === "foreign_invested") showForeignCapital(event.target.form);
  });
  dialog.addEventListener("close", function () {
    dialogBody.replaceChildren();
  });
})();
