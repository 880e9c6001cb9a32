/* Menus made of <details data-menu>: the board's reports menu and its filter pick lists; and the
 * phone's menu button (<button data-menu-toggle aria-expanded>), which unfolds what a narrow
 * screen folds away (the page's CSS reads its aria-expanded).
 *
 * A menu closes like one: a click anywhere outside it, or Escape (the focus goes back to its
 * summary). Opening one closes the others. Escape outside a pick list folds the phone's menu
 * again. Loaded on every page: it does nothing where there is no menu.
 */
(function () {
  "use strict";

  function closeMenus(except) {
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      if (menu !== except) menu.open = false;
    }
  }

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    closeMenus(target ? target.closest("details[data-menu]") : null);
    const toggle = target && target.closest("[data-menu-toggle]");
    if (toggle) {
      toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const menu = event.target.closest("details[data-menu][open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      return;
    }
    const toggle = document.querySelector('[data-menu-toggle][aria-expanded="true"]');
    if (toggle && toggle.offsetParent !== null && !event.target.closest("dialog")) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();
