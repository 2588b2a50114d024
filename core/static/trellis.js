// Trellis: the little JavaScript the pages need. No user-visible strings live
// here: texts come from the page (data-* attributes), so they are translated.
(function () {
  "use strict";
  // "Select all" check boxes: <input type="checkbox" data-select-all="ids">
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-select-all]")) {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    }
  });
  // Confirm before destructive buttons: <button data-confirm="Delete X?">
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // A form that offers the settings of several rules shows those of the
  // chosen one: <select data-rule-select> and <fieldset data-rule-params="code">
  // (without JavaScript every fieldset shows, and the chosen rule's are read).
  function showRuleParams(select) {
    select.form.querySelectorAll("[data-rule-params]").forEach(function (set) {
      set.hidden = set.getAttribute("data-rule-params") !== select.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-rule-select]")) { showRuleParams(event.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rule-select]").forEach(showRuleParams);
  });
  // After htmx swaps a fragment in, move focus to its first alert so screen
  // readers and keyboard users notice the result.
  document.addEventListener("htmx:afterSwap", function (event) {
    var alert = event.detail.target.querySelector('[role="alert"], [role="status"]');
    if (alert) { alert.setAttribute("tabindex", "-1"); }
    // A form that saved something is emptied for the next entry; a search or
    // filter form (GET) keeps what the user typed.
    var config = event.detail.requestConfig;
    var form = config && config.elt;
    if (form && form.tagName === "FORM" && config.verb !== "get" &&
        !event.detail.target.querySelector('[role="alert"]')) {
      form.reset();
    }
  });
})();
// Boards: drag a card ([data-move-card], holding a form with a
// [data-stage-select]) onto a column ([data-drop-stage]) to submit the card's
// form with that stage. The form itself is the keyboard way to do the same.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    dragged = event.target.closest && event.target.closest("[data-move-card]");
    if (dragged && event.dataTransfer) { event.dataTransfer.effectAllowed = "move"; }
  });
  document.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("[data-drop-stage]")) { event.preventDefault(); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest("[data-drop-stage]");
    if (!dragged || !column) { return; }
    event.preventDefault();
    var select = dragged.querySelector("[data-stage-select]");
    if (select && select.value !== column.getAttribute("data-drop-stage")) {
      select.value = column.getAttribute("data-drop-stage");
      select.form.requestSubmit();
    }
    dragged = null;
  });
})();
// Charts: <canvas data-chart="bar" data-chart-data='{"labels": [...], "values": [...], "label": "..."}'>
// (Chart.js is loaded only by the pages that draw charts.)
window.addEventListener("load", function () {
  "use strict";
  if (!window.Chart) { return; }
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#1f6f5c";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart-data"));
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart"),
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: accent }] },
      // no growing bars: the figures are read, not watched (and screenshots show them whole)
      options: { responsive: true, animation: false, plugins: { legend: { display: false } } }
    });
  });
});
