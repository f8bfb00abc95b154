// The network page: Cytoscape.js over the data the page put in <script id="network-data">.
(function () {
  const holder = document.getElementById("network-graph");
  const data = JSON.parse(document.getElementById("network-data").textContent);
  if (!holder || !window.cytoscape) return;
  const elements = data.nodes.map(function (n) {
    return { data: { id: n.id, label: n.label, colour: n.colour, url: n.url, ego: n.ego ? 1 : 0 } };
  }).concat(data.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, score: e.score, band: e.band, flagged: e.flagged ? 1 : 0 } };
  }));
  window.trackerNetworkReady = false;
  const cy = window.cytoscape({
    container: holder,
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 9, width: 14, height: 14, "text-wrap": "ellipsis", "text-max-width": 120 } },
      { selector: "node[ego = 1]", style: { width: 24, height: 24, "border-width": 3, "border-color": "#000" } },
      { selector: "edge", style: { width: "mapData(score, 1, 10, 0.5, 7)", "line-color": "#9aa5b1", opacity: 0.8, "curve-style": "haystack" } },
      { selector: "edge[band = 'close']", style: { "line-color": "#b3261e" } },
      { selector: "edge[band = 'working']", style: { "line-color": "#d08b00" } },
      // a tie an open conflict-of-interest flag holds on: dashed (haystack edges cannot be)
      { selector: "edge[flagged = 1]", style: { "line-style": "dashed", "curve-style": "straight" } },
    ],
    layout: {
      // a force-directed layout shows who clusters around whom; past a few hundred entities it
      // takes seconds in the browser, so a large graph is drawn in a circle (counted in entities:
      // 100 entities with their 300 ties were a circle, which shows no clusters at all)
      name: data.nodes.length > 250 ? "circle" : "cose", animate: false, randomize: false,
      stop: function () { window.trackerNetworkReady = true; }, // layout may finish during construction
    },
  });
  cy.on("tap", "node", function (event) { window.location.href = event.target.data("url"); });
  window.trackerNetwork = cy; // for browser tests
})();
