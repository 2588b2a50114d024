"""Charts in a real browser, for the report pages' tests of core and of plugins.

Every chart is a ``<figure class="chart">`` written by ``core/_charts.html``
and drawn by ``core/static/charts.js``. In a Playwright page:

- ``read_charts(page)`` waits until each is drawn, then reads, through
  ``Chart.getChart(canvas)``, what it draws (labels, series, axes, the
  resolved colours as ``rgb(…)``) beside what its table view lists;
- ``chart_problems(chart)`` names every promise a chart breaks: the unit in
  the axis title and not in the labels, whole-number ticks for counts, a
  legend exactly when there is more than one series, the table listing the
  same numbers, text colours of at least 4.5:1 against the card and the page;
- ``contrast(a, b)``: the WCAG contrast ratio of two ``rgb(…)`` colours;
- ``table_views(html)``: without a browser, each chart's numbers as the
  page sends them and its table view (caption, headers, rows), by id.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from typing import Any

#: WCAG 2 AA for normal text
TEXT_CONTRAST = 4.5

_READ = """() => {
  const rgb = (colour) => {
    const probe = document.createElement("span");
    probe.style.color = colour;
    document.body.appendChild(probe);
    const seen = getComputedStyle(probe).color;
    probe.remove();
    return seen;
  };
  const backdrop = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg && bg !== "transparent" && !/^rgba\\(.*, 0\\)$/.test(bg)) { return bg; }
    }
    return "rgb(255, 255, 255)";
  };
  const text = (cell) => cell.textContent.replace(/\\s+/g, " ").trim();
  return [...document.querySelectorAll("figure.chart")].map((figure) => {
    const canvas = figure.querySelector("canvas");
    const chart = Chart.getChart(canvas);
    const options = chart.options;
    const axes = {};
    for (const [key, scale] of Object.entries(chart.scales)) {
      const o = options.scales[key];
      axes[key] = {
        title: o.title.display ? o.title.text : "",
        title_colour: rgb(o.title.color),
        tick_colour: rgb(o.ticks.color),
        ticks: scale.ticks.map((t) => t.value),
        precision: o.ticks.precision === undefined ? null : o.ticks.precision,
        min: scale.min,
        max: scale.max,
      };
    }
    const table = figure.querySelector("table");
    return {
      id: figure.id,
      kind: chart.config.type,
      unit: figure.dataset.unit,
      currency: figure.dataset.currency || null,
      labels: chart.data.labels.map(String),
      datasets: chart.data.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
      axes: axes,
      legend: {
        display: Boolean(options.plugins.legend.display),
        colour: rgb(options.plugins.legend.labels.color),
      },
      title: options.plugins.title.display ? options.plugins.title.text : "",
      title_colour: rgb(options.plugins.title.color),
      animated: options.animation !== false,
      background: backdrop(canvas),
      page: backdrop(document.body),
      caption: table.caption ? text(table.caption) : "",
      headers: [...table.querySelectorAll("thead th")].map(text),
      rows: [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map(text)),
    };
  });
}"""

_DRAWN = """() => window.Chart && [...document.querySelectorAll("figure.chart canvas")]
  .every((canvas) => Chart.getChart(canvas))"""


def read_charts(page: Any) -> dict[str, dict]:
    """Every chart on ``page`` (a Playwright page), by its figure's id."""
    page.wait_for_function(_DRAWN)
    return {chart["id"]: chart for chart in page.evaluate(_READ)}


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    red, green, blue = (float(v) for v in re.findall(r"[\d.]+", colour)[:3])
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two opaque ``rgb(r, g, b)`` colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def cell_number(text: str) -> float | None:
    """The number a table cell shows ("¥1,234.50", "45.5%", "12"), None for "—"."""
    digits = re.sub(r"[^0-9.\-]", "", text)
    return float(digits) if digits else None


def _same(shown: float | None, drawn: float | None) -> bool:
    if shown is None or drawn is None:
        return shown is drawn
    return math.isclose(shown, drawn, abs_tol=1e-6)


def chart_problems(chart: dict) -> list[str]:
    """What is wrong with one chart of ``read_charts`` (nothing: ``[]``)."""
    name, currency = chart["id"], chart["currency"]
    problems = _axis_problems(chart) if chart["kind"] != "doughnut" else []
    legend = chart["kind"] == "doughnut" or len(chart["datasets"]) > 1
    if chart["legend"]["display"] != legend:
        problems.append(f"{name}: legend shown {chart['legend']['display']}, wanted {legend}")
    words = chart["labels"] + [d["label"] for d in chart["datasets"]]
    if currency and any(currency in word for word in words):
        problems.append(f"{name}: the currency {currency} inside the labels {words}")
    return problems + _table_problems(chart) + _contrast_problems(chart)


def _axis_problems(chart: dict) -> list[str]:
    """The value axis says the unit in its title; counts tick in whole numbers;
    a percentage runs to at least 100."""
    name, unit, axis = chart["id"], chart["unit"], chart["axes"].get("y")
    if axis is None:
        return [f"{name}: no value axis"]
    problems = []
    symbol = {"currency": chart["currency"], "percent": "%"}.get(unit)
    if not axis["title"] or (symbol and symbol not in axis["title"]):
        problems.append(f"{name}: the axis title {axis['title']!r} does not say the unit")
    if unit == "count" and (axis["precision"] != 0 or any(t != int(t) for t in axis["ticks"])):
        problems.append(f"{name}: a count axis with ticks {axis['ticks']}")
    if unit == "percent" and axis["max"] < 100:
        problems.append(f"{name}: a percent axis ending at {axis['max']}")
    return problems


def _contrast_problems(chart: dict) -> list[str]:
    """Every text the chart draws, against its card and against the page."""
    colours = [chart["legend"]["colour"]]
    if chart["title"]:
        colours.append(chart["title_colour"])
    for axis in chart["axes"].values():
        colours += [axis["tick_colour"], axis["title_colour"]]
    return [
        f"{chart['id']}: text {colour} on {ground} is {contrast(colour, ground):.2f}:1"
        for colour in colours
        for ground in (chart["background"], chart["page"])
        if contrast(colour, ground) < TEXT_CONTRAST
    ]


def _table_problems(chart: dict) -> list[str]:
    """The table view lists the chart's labels and, column by column, its numbers."""
    name, rows = chart["id"], chart["rows"]
    if not chart["caption"]:
        return [f"{name}: the table has no caption"]
    if [row[0] for row in rows] != chart["labels"]:
        return [f"{name}: table rows {[row[0] for row in rows]} != labels {chart['labels']}"]
    problems = []
    for column, dataset in enumerate(chart["datasets"], start=1):
        shown = [cell_number(row[column]) for row in rows]
        if not all(_same(s, d) for s, d in zip(shown, dataset["data"], strict=True)):
            problems.append(f"{name}: table {shown} != chart {dataset['data']}")
    return problems


class _TableViews(HTMLParser):
    """The figures of ``core/_charts.html`` in a page: data, caption, headers, rows."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict] = {}
        self.figure: dict | None = None
        self.text: list[str] | None = None
        self.row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "figure" and "chart" in (attributes.get("class") or "").split():
            self.figure = {"data": None, "caption": "", "headers": [], "rows": [], "scopes": []}
            self.found[attributes.get("id") or ""] = self.figure
        elif self.figure is not None and tag in ("script", "caption", "th", "td"):
            self.text = []
            if tag in ("th", "td"):
                self.figure["scopes"].append((tag, attributes.get("scope")))
        elif self.figure is not None and tag == "tr":
            self.row = []

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        figure = self.figure
        if figure is None:
            return
        text = " ".join("".join(self.text or ()).split())
        if tag == "script":
            figure["data"] = json.loads("".join(self.text or ()))
        elif tag == "caption":
            figure["caption"] = text
        elif tag in ("th", "td") and self.row is not None:
            self.row.append(text)
        elif tag == "tr" and self.row is not None:
            is_head = not figure["headers"] and not figure["rows"]
            figure["headers" if is_head else "rows"] += self.row if is_head else [self.row]
            self.row = None
        elif tag == "figure":
            self.figure = None
        if tag in ("script", "caption", "th", "td"):
            self.text = None


def table_views(html: str) -> dict[str, dict]:
    """Each chart figure of ``html`` by id: ``data`` (the JSON charts.js draws),
    ``caption``, ``headers`` (the column headers), ``rows`` (the cells' text,
    the row header first) and ``scopes`` ((tag, scope) of every cell)."""
    parser = _TableViews()
    parser.feed(html)
    return parser.found
