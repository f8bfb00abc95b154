// The network page: Cytoscape.js over the data the page put in <script id="network-data">.
(function () {
  const holder = document.getElementById("network-graph");
  const data = JSON.parse(document.getElementById("network-data").textContent);
  if (!holder || !window.cytoscape) return;
  // In a graph of more than a few dozen entities, the names of the people overlap into a blur at the
  // centre: they show once zoomed in (scroll), or while the pointer is on the person; organisations,
  // fewer and what the page is about, are always named.
  const crowded = data.crowded;
  const elements = data.nodes.map(function (n) {
    return { data: { id: n.id, label: n.label, colour: n.colour, url: n.url, ego: n.ego ? 1 : 0, person: n.person ? 1 : 0 } };
  }).concat(data.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, score: e.score, band: e.band, flagged: e.flagged ? 1 : 0 } };
  }));
  window.trackerNetworkReady = false;
  const cy = window.cytoscape({
    container: holder,
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 10, width: 18, height: 18,
                                   "text-wrap": "ellipsis", "text-max-width": 140, "text-background-color": "#fff", "text-background-opacity": 0.7,
                                   "text-background-padding": 1 } },
      { selector: "node[person = 1]", style: { width: 11, height: 11, "font-size": 9, "min-zoomed-font-size": crowded ? 13 : 0 } },
      { selector: "node.pointed", style: { "min-zoomed-font-size": 0, "z-index": 20, "font-size": 11 } },
      { selector: "node[ego = 1]", style: { width: 26, height: 26, "border-width": 3, "border-color": "#000", "min-zoomed-font-size": 0 } },
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
      // cose's defaults packed a hundred entities into a knot a third of the canvas wide: more
      // room between nodes and a weaker pull to the centre spread it over the canvas; closer
      // pairs still sit nearer each other
      idealEdgeLength: function (edge) { return 110 - 6 * edge.data("score"); },
      nodeRepulsion: function () { return 12000; }, nodeOverlap: 12, gravity: 0.3, componentSpacing: 60,
      numIter: 1500, padding: 20,
      stop: function () { window.trackerNetworkReady = true; }, // layout may finish during construction
    },
  });
  cy.on("tap", "node", function (event) { window.location.href = event.target.data("url"); });
  cy.on("mouseover", "node", function (event) { event.target.addClass("pointed"); holder.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function (event) { event.target.removeClass("pointed"); holder.style.cursor = ""; });
  window.trackerNetwork = cy; // for browser tests
})();
