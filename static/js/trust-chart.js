// The trust trend page: average trust (1-5) per month, a line per neighbourhood, from <script id="trust-data">.
(function () {
  const canvas = document.getElementById("trust-chart");
  if (!canvas || !window.Chart) return;
  const data = JSON.parse(document.getElementById("trust-data").textContent);
  const colours = ["#1f3b57", "#3c7a89", "#d9a441", "#b3261e", "#2e7d32", "#7b3fa0", "#757575", "#e08a00"];
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.months,
      datasets: data.series.map(function (s, i) {
        return { label: s.label, data: s.data, borderColor: colours[i % colours.length], spanGaps: true };
      }),
    },
    options: { scales: { y: { min: 1, max: 5 } } },
  });
})();
