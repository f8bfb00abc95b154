// How many ties were close and working over time: an entity's counterparts (its page) or every
// pair (the "What changed" page), from the <script> element the canvas names in `data-ties`
// (dated-chart.js: days apart). A point where a count changed, and the last: a stepped line draws
// the same picture, without a point for each of years of nightly recomputes.
(function () {
  const canvas = document.getElementById("ties-chart");
  if (!canvas || !window.Chart || !window.trackerDates) return;
  const ties = JSON.parse(document.getElementById(canvas.dataset.ties).textContent).filter(function (t, i, all) {
    return i === 0 || i === all.length - 1 || t.close !== all[i - 1].close || t.working !== all[i - 1].working;
  });
  new window.Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        { label: "Close (8 and up)", data: window.trackerDates.points(ties, "close"), stepped: true, borderColor: "#b3261e" },
        { label: "Working (4 to under 8)", data: window.trackerDates.points(ties, "working"), stepped: true, borderColor: "#8a5a00" },
      ],
    },
    options: {
      scales: { x: window.trackerDates.axis, y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { tooltip: window.trackerDates.tooltip },
    },
  });
})();
