// The dashboard's charts, drawn with the vendored ECharts. Each [data-chart] element holds its
// chart as JSON: {kind: "stack" | "rates" | "line", x or y (labels), series: [{key, name,
// data, links}]}. A series' colour is the background of the CSS class level_<key>
// (static/dashboard.css, where the level scheme's variables land), and a bar with a link opens
// the tasks behind it. The numbers are also on the page as links: this only draws them.
(function () {
  "use strict";

  // A series' fill, and an outline only where the scheme gives the level a different one
  // (--level-<key>-line: grey for a pale fill such as 白色预警, which would vanish on white).
  function colour(key) {
    const probe = document.createElement("span");
    probe.className = "level_" + key;
    probe.style.display = "none";
    document.body.appendChild(probe);
    const fill = getComputedStyle(probe).backgroundColor;
    const line = getComputedStyle(document.documentElement)
      .getPropertyValue("--level-" + key + "-line").trim();
    if (line) probe.style.backgroundColor = line;
    const outline = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return { color: fill, borderColor: outline, borderWidth: outline === fill ? 0 : 1 };
  }

  function common(spec) {
    return {
      animation: false,
      textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" },
      legend: { top: 0, itemGap: 8, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } },
      tooltip: { trigger: "axis", axisPointer: { type: spec.kind === "line" ? "line" : "shadow" } },
      grid: { left: 8, right: spec.kind === "rates" ? 48 : 24, top: 36, bottom: 8,
              containLabel: true },
    };
  }

  function series(spec, extra) {
    return spec.series.map((item) => Object.assign({
      name: item.name, data: item.data, itemStyle: colour(item.key),
      cursor: item.links ? "pointer" : "default",
    }, extra));
  }

  const KINDS = {
    stack: (spec) => {
      const options = Object.assign(common(spec), {
        xAxis: { type: "category", data: spec.x },
        yAxis: { type: "value", minInterval: 1 },
        series: series(spec, { type: "bar", stack: "all", barMaxWidth: 36 }),
      });
      // No bar at all for a zero (an outlined series would draw a line on the axis).
      options.series.forEach((item) => { item.data = item.data.map((n) => n || null); });
      options.tooltip.valueFormatter = (value) => value || 0;
      return options;
    },
    rates: (spec) => Object.assign(common(spec), {
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: spec.y, inverse: true,
               axisLabel: { width: 120, overflow: "break" } },
      series: series(spec, { type: "bar", barMaxWidth: 18,
                             label: { show: true, position: "right", formatter: "{c}%" } }),
    }),
    line: (spec) => Object.assign(common(spec), {
      xAxis: { type: "category", data: spec.x, boundaryGap: false },
      // Scores: 100 on top unless a bonus goes past it; the bottom a little under the lowest.
      yAxis: { type: "value", max: (range) => Math.max(100, Math.ceil(range.max)),
               min: (range) => Math.max(0, Math.floor(range.min / 10) * 10 - 10) },
      series: series(spec, { type: "line", connectNulls: true, symbolSize: 8,
                             label: { show: true } }),
    }),
  };

  function draw(element) {
    const spec = JSON.parse(element.dataset.chart);
    if (spec.kind === "rates") {
      element.style.height = 60 + 44 * spec.y.length + "px";  // one row of bars per category
    }
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(KINDS[spec.kind](spec));
    chart.on("click", (event) => {
      const links = spec.series[event.seriesIndex].links;
      if (links && links[event.dataIndex]) window.location.href = links[event.dataIndex];
    });
    window.addEventListener("resize", () => chart.resize());
  }

  if (window.echarts) document.querySelectorAll("[data-chart]").forEach(draw);
})();
