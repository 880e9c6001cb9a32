/* Menus made of <details data-menu>: the board's reports menu and its filter pick lists.
 *
 * A menu closes like one: a click anywhere outside it, or Escape (the focus goes back to its
 * summary). Opening one closes the others. Loaded on every page: it does nothing where there is
 * no menu.
 */
(function () {
  "use strict";

  function closeMenus(except) {
    for (const menu of document.querySelectorAll("details[data-menu][open]")) {
      if (menu !== except) menu.open = false;
    }
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target instanceof Element ? event.target.closest("details[data-menu]") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const menu = event.target.closest("details[data-menu][open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();
