// The pair page: the score over time, from <script id="pair-history"> (dated-chart.js: days apart).
(function () {
  const canvas = document.getElementById("history-chart");
  if (!canvas || !window.Chart || !window.trackerDates) return;
  const history = JSON.parse(document.getElementById("pair-history").textContent);
  new window.Chart(canvas, {
    type: "line",
    data: { datasets: [{ label: "Closeness", data: window.trackerDates.points(history, "score"), stepped: true, borderColor: "#1f3b57" }] },
    options: {
      scales: { x: window.trackerDates.axis, y: { min: 0, max: 10 } },
      plugins: { legend: { display: false }, tooltip: window.trackerDates.tooltip },
    },
  });
})();
