/* The Print button of any page (<button data-print>: the reports, the blockers list). One
 * delegated handler, loaded on every page, so that one click prints once; the
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
  });
})();
