// The network page: Cytoscape.js over the data the page put in <script id="network-data">.
(function () {
  const holder = document.getElementById("network-graph");
  const data = JSON.parse(document.getElementById("network-data").textContent);
  if (!holder || !window.cytoscape) return;
  // Names grow with the zoom only a little (between 0.85 and 1.25 times their size), and a name
  // that would overlap one already shown goes below its entity instead of above, or if it overlaps
  // there too, is left out (shown while the pointer is on its entity):
  // the entity looked at first, then organisations, then people, each by the sum of its ties'
  // scores. Zooming in spreads the entities more than it grows their names, so more of them fit.
  // (Names that grew with the zoom overlapped as much at any zoom, and blurred into each other at
  // the centre of a large graph.)
  const NAME_PX = 12, PERSON_NAME_PX = 11;
  let zoom = 1;
  function onScreen(px) { return px * Math.min(Math.max(zoom, 0.85), 1.25) / zoom; } // model units for px on screen
  const weight = {};
  data.edges.forEach(function (e) {
    weight[e.source] = (weight[e.source] || 0) + e.score;
    weight[e.target] = (weight[e.target] || 0) + e.score;
  });
  const elements = data.nodes.map(function (n) {
    return { data: { id: n.id, label: n.label, colour: n.colour, url: n.url, ego: n.ego ? 1 : 0, person: n.person ? 1 : 0 } };
  }).concat(data.edges.map(function (e, i) {
    return { data: { id: "e" + i, source: e.source, target: e.target, score: e.score, band: e.band, flagged: e.flagged ? 1 : 0 } };
  }));
  window.trackerNetworkReady = false;
  let cy = null;
  cy = window.cytoscape({
    container: holder,
    elements: elements,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", width: 18, height: 18,
                                   "font-size": function () { return onScreen(NAME_PX); }, "text-max-width": function () { return onScreen(170); },
                                   "text-wrap": "ellipsis", "text-background-color": "#fff", "text-background-opacity": 0.7,
                                   "text-background-padding": function () { return onScreen(1); } } },
      { selector: "node[person = 1]", style: { width: 11, height: 11, "font-size": function () { return onScreen(PERSON_NAME_PX); } } },
      { selector: "node.name-below", style: { "text-valign": "bottom" } },
      { selector: "node.unnamed", style: { "text-opacity": 0, "text-background-opacity": 0 } },
      { selector: "node.pointed", style: { "text-opacity": 1, "text-background-opacity": 0.9, "z-index": 20 } },
      { selector: "node[ego = 1]", style: { width: 26, height: 26, "border-width": 3, "border-color": "#000" } },
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
      // the layout may finish during construction (then `cy` is not set yet: named just below)
      stop: function () { window.trackerNetworkReady = true; if (cy) nameWhatFits(); },
    },
  });

  function overlaps(a, b) { return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2; }

  // Show the names that fit, in order of importance; hide the rest.
  function nameWhatFits() {
    zoom = cy.zoom();
    cy.style().update(); // the name sizes follow the zoom
    const shown = [];
    const order = cy.nodes().sort(function (a, b) {
      return (b.data("ego") - a.data("ego")) || (a.data("person") - b.data("person")) ||
             ((weight[b.id()] || 0) - (weight[a.id()] || 0)) || (a.id() < b.id() ? -1 : 1);
    });
    function free(box) { return box.w > 0 && !shown.some(function (other) { return overlaps(box, other); }); }
    function nameBox(node) { return node.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }); }
    // not batched: a name moved below its entity must be measured there at once
    cy.nodes().removeClass("name-below unnamed");
    order.forEach(function (node) {
      let box = nameBox(node);
      if (!free(box)) { // above the entity it is in the way: below, then?
        node.addClass("name-below");
        box = nameBox(node);
      }
      if (free(box)) {
        shown.push(box);
      } else {
        node.removeClass("name-below").addClass("unnamed");
      }
    });
  }
  let pending = null;
  function nameWhatFitsSoon() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () { pending = null; nameWhatFits(); window.trackerNetworkNamed = true; }, 80);
  }
  if (window.trackerNetworkReady) nameWhatFits();
  window.trackerNetworkNamed = true;
  cy.on("zoom", function () { window.trackerNetworkNamed = false; nameWhatFitsSoon(); });
  cy.on("tap", "node", function (event) { window.location.href = event.target.data("url"); });
  cy.on("mouseover", "node", function (event) { event.target.addClass("pointed"); holder.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function (event) { event.target.removeClass("pointed"); holder.style.cursor = ""; });
  window.trackerNetwork = cy; // for browser tests
})();
