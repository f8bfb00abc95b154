// What the charts over time share (a pair's score, an entity's ties): the x axis counts days, so
// that dates stand as far apart as they are (on a category axis, one day and a year between two
// recomputes looked alike).
(function () {
  const DAY = 86400000;
  function dayOf(iso) { return Date.parse(iso + "T00:00:00Z") / DAY; }
  function isoOf(day) { return new Date(Math.round(day) * DAY).toISOString().slice(0, 10); }
  // ticks on the first of a month (every month, or every 2, 3, 6 or 12 to keep about eight)
  function monthTicks(scale) {
    const first = new Date(Math.floor(scale.min) * DAY), last = new Date(Math.ceil(scale.max) * DAY);
    const months = (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth();
    const step = [1, 2, 3, 6, 12].find(function (s) { return months / s <= 8; }) || 12 * Math.ceil(months / 96);
    const ticks = [];
    for (let m = first.getUTCMonth() + 1; ; m += 1) {
      const day = Date.UTC(first.getUTCFullYear(), m, 1) / DAY;
      if (day > scale.max) break;
      if ((first.getUTCFullYear() * 12 + m) % step === 0) ticks.push({ value: day });
    }
    if (ticks.length >= 2) scale.ticks = ticks;  // else (a few days) Chart.js's own
  }
  window.trackerDates = {
    // [{x: day, y: row[key]}] for rows carrying `as_of` (YYYY-MM-DD)
    points: function (rows, key) { return rows.map(function (r) { return { x: dayOf(r.as_of), y: r[key] }; }); },
    axis: { type: "linear", afterBuildTicks: monthTicks, ticks: { callback: isoOf, maxRotation: 0, autoSkipPadding: 24 } },
    tooltip: { callbacks: { title: function (items) { return isoOf(items[0].parsed.x); } } },
  };
})();
