// The coverage page: engagement meetings per month, stacked by type, from <script id="coverage-data">.
(function () {
  const canvas = document.getElementById("coverage-chart");
  if (!canvas || !window.Chart) return;
  const data = JSON.parse(document.getElementById("coverage-data").textContent);
  const colours = ["#1f3b57", "#3c7a89", "#9fc2cc", "#d9a441"];
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.months,
      datasets: data.series.map(function (s, i) { return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] }; }),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
