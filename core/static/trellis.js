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
  // A choice that narrows what else the form offers: <select data-narrows="kind">
  // shows the elements marked data-for-kind="a b" only while it is a or b (within
  // its [data-narrow-scope], else its form); a hidden option is unselected.
  // Without JavaScript everything shows and the server ignores what does not apply.
  function narrow(select) {
    var name = select.getAttribute("data-narrows");
    var scope = select.closest("[data-narrow-scope]") || select.form;
    scope.querySelectorAll("[data-for-" + name + "]").forEach(function (el) {
      var show = el.getAttribute("data-for-" + name).split(" ").indexOf(select.value) !== -1;
      el.hidden = !show;
      if (!show && el.tagName === "OPTION" && el.selected) { el.selected = false; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-narrows]")) { narrow(event.target); }
  });
  // Spare rows (<fieldset data-spare-step>) wait hidden until [data-add-step] shows the next.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-step]");
    if (!button) { return; }
    var spare = button.form.querySelector("[data-spare-step][hidden]");
    if (spare) { spare.hidden = false; }
    button.hidden = !button.form.querySelector("[data-spare-step][hidden]");
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-narrows]").forEach(narrow);
    document.querySelectorAll("[data-add-step]").forEach(function (button) {
      button.form.querySelectorAll("[data-spare-step]").forEach(function (set) { set.hidden = true; });
      button.hidden = !button.form.querySelector("[data-spare-step][hidden]");
    });
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
// The menu: on a phone the "Menu" button opens it as a drawer (Escape closes
// it); the groups a user folds stay folded on the next page (this browser
// only), except the one holding the page shown.
(function () {
  "use strict";
  var KEY = "trellis.menu.folded";
  function folded() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.getElementById("main-menu");
    if (!toggle || !menu) { return; }
    function show(open) {
      menu.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      show(!menu.classList.contains("open"));
      if (menu.classList.contains("open")) {
        var first = menu.querySelector("a");
        if (first) { first.focus(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) { show(false); toggle.focus(); }
    });
    var closed = folded();
    menu.querySelectorAll("details[data-menu-group]").forEach(function (group) {
      var name = group.getAttribute("data-menu-group");
      if (closed.indexOf(name) >= 0 && !group.querySelector('[aria-current="page"]')) { group.open = false; }
      group.addEventListener("toggle", function () {
        var now = folded().filter(function (n) { return n !== name; });
        if (!group.open) { now.push(name); }
        try { window.localStorage.setItem(KEY, JSON.stringify(now)); } catch (e) { /* private mode */ }
      });
    });
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
// Tabs whose panels load on demand (the customer's page): <div data-tabs>
// holds a [role=tablist] of links (href="?tab=key", so without JavaScript each
// tab is the page showing it) and the [role=tabpanel]s, each with hx-get and
// hx-trigger="show-panel"; a panel already on the page has data-loaded.
// Arrow keys, Home and End move between the tabs (WAI-ARIA); the address
// keeps the chosen tab, so a reload or the back button shows it again.
(function () {
  "use strict";
  function tabsOf(list) { return Array.prototype.slice.call(list.querySelectorAll('[role="tab"]')); }
  function panelOf(tab) { return document.getElementById(tab.getAttribute("aria-controls")); }
  function select(tab, history) {
    tabsOf(tab.closest('[role="tablist"]')).forEach(function (other) {
      var on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      panelOf(other).hidden = !on;
    });
    var panel = panelOf(tab);
    if (!panel.hasAttribute("data-loaded") && window.htmx) {
      panel.setAttribute("data-loaded", "");
      panel.setAttribute("aria-busy", "true");
      window.htmx.trigger(panel, "show-panel");
    }
    if (history && tab.href !== window.location.href) { window.history[history]({ tab: tab.id }, "", tab.href); }
  }
  function fromAddress() {
    document.querySelectorAll('[data-tabs] [role="tablist"]').forEach(function (list) {
      var tabs = tabsOf(list), key = new URLSearchParams(window.location.search).get("tab");
      var chosen = tabs.filter(function (tab) { return tab.id === "tab-" + key; })[0] || tabs[0];
      if (chosen) { select(chosen, null); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-tabs] [role="tab"]').forEach(function (tab) {
      tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
    });
  });
  window.addEventListener("popstate", fromAddress);
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest('[data-tabs] [role="tab"]');
    if (!tab || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    select(tab, "pushState");
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[data-tabs] [role="tab"]');
    if (!tab) { return; }
    var tabs = tabsOf(tab.closest('[role="tablist"]')), at = tabs.indexOf(tab);
    var next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) { return; }
    event.preventDefault();
    tab = tabs[(next + tabs.length) % tabs.length];
    tab.focus();
    select(tab, "replaceState");
  });
  // A panel's answer arrived (or failed: it loads again when next shown).
  document.addEventListener("htmx:afterRequest", function (event) {
    var panel = event.detail.elt;
    if (panel.getAttribute && panel.getAttribute("role") === "tabpanel") {
      panel.removeAttribute("aria-busy");
      if (!event.detail.successful) { panel.removeAttribute("data-loaded"); }
    }
  });
  // A form outside the panels answered into one (the quick actions into the
  // timeline): show that tab; the other panels may show what changed, so
  // they load afresh when next shown.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target, panel = target.closest && target.closest('[role="tabpanel"]');
    if (!panel || panel === target || !panel.closest("[data-tabs]")) { return; }
    panel.setAttribute("data-loaded", "");
    panel.parentNode.querySelectorAll('[role="tabpanel"]').forEach(function (other) {
      if (other !== panel) { other.removeAttribute("data-loaded"); }
    });
    var tab = document.getElementById(panel.getAttribute("aria-labelledby"));
    if (tab && tab.getAttribute("aria-selected") !== "true") { select(tab, "pushState"); }
  });
})();
