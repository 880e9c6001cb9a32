/* The project panel's progress notes, blockers, funds in place and documents.
 *
 * - Ctrl+Enter (⌘+Enter) in a panel's text area submits its form.
 * - After a form redrew its section, the keyboard stays there: on a refused field, else on the
 *   note box.
 * - When the live push redraws the card whose panel is open (another screen added a note or
 *   raised a blocker), the notes, blockers, funds and documents lists are fetched again — but a list
 *   holding a form someone is using (focus, typed text, an open "resolve" box) is left alone until they
 *   are done.
 * Loaded on every page: it does nothing where there is no panel.
 */
(function () {
  "use strict";

  const REGIONS = [["project-notes", "notes-list"], ["project-blockers", "blockers-list"],
    ["project-funds", "funds-list"], ["project-documents", "documents-list"]];

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.form || !field.closest(".project-panel")) return;
    event.preventDefault();
    field.form.requestSubmit();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const section = event.target;
    if (!section.classList || !section.classList.contains("panel-section")) return;
    if (event.detail.requestConfig && event.detail.requestConfig.verb !== "post") return;
    const field = section.querySelector("[aria-invalid=true]") || section.querySelector("#note-text");
    if (field) field.focus();
  });

  function inUse(region) {
    if (region.contains(document.activeElement)) return true;
    if (region.querySelector("details[open]")) return true;
    return Array.from(region.querySelectorAll("textarea")).some(function (box) {
      return box.value !== box.defaultValue;
    });
  }

  function openPanel() {
    return document.querySelector("dialog[open] .project-panel[data-panel-project]");
  }

  function refresh(panel, onlyStale) {
    for (const [sectionId, regionId] of REGIONS) {
      const section = panel.querySelector("#" + sectionId);
      const region = section && section.querySelector("#" + regionId);
      if (!region || (onlyStale && !section.dataset.stale)) continue;
      if (inUse(region)) { section.dataset.stale = "1"; continue; }
      delete section.dataset.stale;
      // Each list its own source: htmx queues requests per element and keeps only the last
      // one waiting, so lists sharing one (the body, by default) would drop each other's.
      // The list keeps its element and takes new children: the fetch queued behind one on its
      // way then runs when that lands, where it would be dropped with a list that was replaced.
      htmx.ajax("GET", section.dataset.refreshUrl,
        { source: region, target: region, swap: "innerHTML", select: "#" + regionId + " > *" });
    }
  }

  // A list left alone while in use catches up once the person is done with it.
  function catchUp() {
    setTimeout(function () {
      const panel = openPanel();
      if (panel) refresh(panel, true);
    }, 0);
  }
  document.addEventListener("focusout", catchUp);
  document.addEventListener("toggle", catchUp, true);  // a <details> closed: toggle does not bubble

  if (window.Wallchart) {
    window.Wallchart.onChange(function (reason, card) {
      const panel = openPanel();
      if (!panel) return;
      if (reason === "resync" || (card && card.dataset.projectId === panel.dataset.panelProject)) {
        refresh(panel, false);
      }
    });
  }
})();
