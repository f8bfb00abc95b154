// The entity page: how many counterparts were close and working over time, from <script id="entity-ties">.
(function () {
  const canvas = document.getElementById("ties-chart");
  if (!canvas || !window.Chart) return;
  const ties = JSON.parse(document.getElementById("entity-ties").textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: ties.map(function (t) { return t.as_of; }),
      datasets: [
        { label: "Close (8 and up)", data: ties.map(function (t) { return t.close; }), stepped: true, borderColor: "#b3261e" },
        { label: "Working (4 to under 8)", data: ties.map(function (t) { return t.working; }), stepped: true, borderColor: "#8a5a00" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
