// Trellis charts: one drawing for every plugin's report pages.
//
// A page loads vendor/chart.umd.min.js and this file (core/_charts.html's
// chart_scripts() does both) and writes, through the chart() macro:
//
//   <figure class="chart" data-chart-kind="bar|line|doughnut" data-unit="count|currency|percent|hours">
//     <div class="chart-canvas"><canvas role="img" aria-label="…"></canvas></div>
//     <script type="application/json">{"labels": [...], "series": [{"label": "…", "values": [...]}],
//       "axis": "Amount (CNY)", "category": "Month", "stacked": false}</script>
//     <button data-chart-table aria-expanded="true" aria-controls="…" hidden>…</button>
//     <div id="…"><table>… the same numbers, formatted on the server …</table></div>
//   </figure>
//
// The numbers' unit lives in the axis title, never in the labels; a count
// axis has whole-number ticks; a percent axis runs from 0 to at least 100;
// more than one series gets a legend. Colours come from the active theme's
// custom properties (--chart-text, --chart-muted, --chart-grid,
// --chart-axis, --chart-1 … --chart-6), so a theme sets text colours that
// keep 4.5:1 against its cards. No user-visible strings live here: the texts
// come from the page, translated.
(function () {
  "use strict";
  var SERIES = 6;

  function themeColour(style, name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  }

  function colours() {
    var style = getComputedStyle(document.body);
    var text = themeColour(style, "--chart-text", themeColour(style, "--fg", "#1d2330"));
    var series = [];
    for (var i = 1; i <= SERIES; i += 1) {
      series.push(themeColour(style, "--chart-" + i, themeColour(style, "--accent", text)));
    }
    return {
      text: text,
      muted: themeColour(style, "--chart-muted", text),
      grid: themeColour(style, "--chart-grid", themeColour(style, "--border", "rgba(127,127,127,.25)")),
      axis: themeColour(style, "--chart-axis", text),
      series: series
    };
  }

  function valueAxis(spec, unit, c) {
    var axis = {
      beginAtZero: true,
      ticks: { color: c.muted },
      grid: { color: c.grid },
      border: { color: c.axis },
      stacked: Boolean(spec.stacked),
      title: { display: Boolean(spec.axis), text: spec.axis, color: c.text }
    };
    if (unit === "count") { axis.ticks.precision = 0; }
    if (unit === "percent") { axis.suggestedMax = 100; }
    return axis;
  }

  function categoryAxis(spec, c) {
    return {
      ticks: { color: c.muted },
      grid: { display: false },
      border: { color: c.axis },
      stacked: Boolean(spec.stacked),
      title: { display: Boolean(spec.category), text: spec.category, color: c.text }
    };
  }

  function config(figure, spec) {
    var kind = figure.getAttribute("data-chart-kind") || "bar";
    var unit = figure.getAttribute("data-unit") || "count";
    var c = colours();
    var round = kind === "doughnut";
    var datasets = spec.series.map(function (s, i) {
      var colour = c.series[i % c.series.length];
      return {
        label: s.label,
        data: s.values,
        // a doughnut colours its slices, the others their series
        backgroundColor: round ? spec.labels.map(function (_l, j) { return c.series[j % c.series.length]; }) : colour,
        borderColor: round ? themeColour(getComputedStyle(document.body), "--card-bg", "#fff") : colour,
        borderWidth: round ? 2 : (kind === "line" ? 2 : 0),
        maxBarThickness: 56
      };
    });
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      locale: document.documentElement.lang || undefined,
      animation: reduced ? false : { duration: 400 },
      color: c.text,
      plugins: {
        legend: { display: round || datasets.length > 1, labels: { color: c.text } },
        title: { display: round && Boolean(spec.axis), text: spec.axis, color: c.text }
      }
    };
    if (!round) {
      options.scales = { x: categoryAxis(spec, c), y: valueAxis(spec, unit, c) };
    }
    return { type: kind, data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  function draw(figure) {
    var canvas = figure.querySelector("canvas");
    var data = figure.querySelector('script[type="application/json"]');
    if (!canvas || !data || window.Chart.getChart(canvas)) { return; }
    new window.Chart(canvas, config(figure, JSON.parse(data.textContent)));
  }

  // The table view's button shows and hides the table (a disclosure: the
  // button's name stays, aria-expanded says which). Without JavaScript the
  // table simply shows and the button stays hidden.
  function toggle(button) {
    var table = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (table) { table.hidden = !open; }
  }

  function start() {
    document.querySelectorAll("figure.chart [data-chart-table]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { toggle(button); });
    });
    if (!window.Chart) { return; }
    document.querySelectorAll("figure.chart[data-chart-kind]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
