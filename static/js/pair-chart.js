// The pair page: the score over time, from <script id="pair-history">.
(function () {
  const canvas = document.getElementById("history-chart");
  if (!canvas || !window.Chart) return;
  const history = JSON.parse(document.getElementById("pair-history").textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: history.map(function (h) { return h.as_of; }),
      datasets: [{ label: "Closeness", data: history.map(function (h) { return h.score; }), stepped: true, borderColor: "#1f3b57" }],
    },
    options: { scales: { y: { min: 0, max: 10 } }, plugins: { legend: { display: false } } },
  });
})();
