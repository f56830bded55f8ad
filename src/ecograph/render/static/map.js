/* ecograph map: draws the network with vis-network and wires search, filters and legend.
 *
 * Data comes from <script type="application/json"> blocks (JSON.parse, never eval); every
 * text reaches the page through textContent, and tooltips are strings, which vis-network 9
 * shows with innerText; names come without control characters or bidi overrides
 * (ecograph.safetext). Nodes carry facet indices: s (sectors), t (actor types),
 * d (domains), g (territories), o (source graphs: real or fictional); edges carry e (tie
 * kind; suggestions are a kind too).
 */
(function () {
  "use strict";

  function read(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  // Milliseconds since navigation start at each step, kept in <html data-timings> for the
  // benchmark (bench/bench_map.py).
  var timings = { start: performance.now() };
  var page = read("map-page");
  var nodeList = read("map-nodes");
  var edgeList = read("map-edges");
  var options = read("map-options");
  timings.parsed = performance.now();
  // Large maps draw their ties as one canvas layer (below): vis-network builds an object per
  // edge, which takes most of the opening time of a 10,000-actor map. Suggestions (dashed,
  // with their explanation as tooltip) stay vis-network edges.
  var layer = page.edge_layer ? edgeList.filter(function (e) { return !e.dashes; }) : [];
  var nodes = new vis.DataSet(nodeList);
  var edges = new vis.DataSet(page.edge_layer ? edgeList.filter(function (e) {
    return e.dashes;
  }) : edgeList);
  timings.datasets = performance.now();
  var status = document.getElementById("status");
  var html = document.documentElement;

  // What is shown: unchecked facet values, and the one domain / territory chosen.
  var hidden = { s: {}, t: {}, e: {}, o: {} };
  var chosen = { d: null, g: null };

  function anyIn(values, excluded) {
    for (var i = 0; i < values.length; i++) {
      if (!excluded[values[i]]) { return true; }
    }
    return false;
  }

  function nodeShown(node) {
    if (!anyIn(node.s, hidden.s) || !anyIn(node.t, hidden.t)) { return false; }
    if (node.o && node.o.length && !anyIn(node.o, hidden.o)) { return false; }
    if (chosen.d !== null && node.d.indexOf(chosen.d) < 0) { return false; }
    if (chosen.g !== null && node.g.indexOf(chosen.g) < 0) { return false; }
    return true;
  }

  var nodeView = new vis.DataView(nodes, { filter: nodeShown });
  var edgeView = new vis.DataView(edges, {
    filter: function (edge) { return !hidden.e[edge.e]; }
  });
  var network = new vis.Network(document.getElementById("map"),
                                { nodes: nodeView, edges: edgeView }, options);

  // The tie layer: one path per colour and width, drawn under the nodes on every frame
  // from the positions vis-network holds for the nodes shown (dragging a node moves its ties).
  var strokes = {};
  layer.forEach(function (edge) {
    var key = edge.color + " " + edge.width;
    (strokes[key] = strokes[key] || { color: edge.color, width: edge.width, edges: [] })
      .edges.push(edge);
  });
  network.on("beforeDrawing", function (ctx) {
    if (!layer.length) { return; }
    var placed = network.body.nodes;
    ctx.save();
    ctx.globalAlpha = options.edges.color.opacity;
    Object.keys(strokes).forEach(function (key) {
      var stroke = strokes[key];
      ctx.beginPath();
      stroke.edges.forEach(function (edge) {
        var a = placed[edge.from];
        var b = placed[edge.to];
        if (a && b && !hidden.e[edge.e]) {
          ctx.moveTo(a.x, a.y);
          ctx.lineTo(b.x, b.y);
        }
      });
      ctx.strokeStyle = stroke.color;
      ctx.lineWidth = stroke.width;
      ctx.stroke();
    });
    ctx.restore();
  });

  // The counts also go into data-* attributes of <html>, for tests and scripts around it.
  function showCount() {
    status.textContent = nodeView.length + " " + page.words.shown + " " + nodes.length +
      (page.aggregated ? " · " + page.aggregated : "");
    var ties = layer.filter(function (edge) { return !hidden.e[edge.e]; }).length;
    html.setAttribute("data-shown", String(nodeView.length));
    html.setAttribute("data-edges", String(edgeView.length + ties));
  }

  timings.network = performance.now();
  network.once("afterDrawing", function () {
    timings.drawn = performance.now();
    Object.keys(timings).forEach(function (key) { timings[key] = Math.round(timings[key]); });
    html.setAttribute("data-timings", JSON.stringify(timings));
    html.setAttribute("data-drawn", String(timings.drawn));
  });
  showCount();

  function refresh() {
    nodeView.refresh();
    edgeView.refresh();
    showCount();
    network.redraw();
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("input[type=checkbox][data-facet]"), function (box) {
      box.addEventListener("change", function () {
        hidden[box.getAttribute("data-facet")][Number(box.value)] = !box.checked;
        refresh();
      });
    });
  Array.prototype.forEach.call(document.querySelectorAll("select[data-facet]"), function (sel) {
    sel.addEventListener("change", function () {
      chosen[sel.getAttribute("data-facet")] = sel.value === "" ? null : Number(sel.value);
      refresh();
    });
  });
  function showAll() {
    hidden = { s: {}, t: {}, e: {}, o: {} };
    chosen = { d: null, g: null };
    Array.prototype.forEach.call(document.querySelectorAll("input[data-facet]"),
                                 function (box) { box.checked = true; });
    Array.prototype.forEach.call(document.querySelectorAll("select[data-facet]"),
                                 function (sel) { sel.value = ""; });
    refresh();
  }
  document.getElementById("reset").addEventListener("click", function () {
    showAll();
    network.fit();
  });

  // Search: accent- and case-insensitive substring of the node label.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = null;
  var results = document.getElementById("search-results");
  var count = document.getElementById("search-count");

  function focusOn(id) {
    if (nodeView.get(id) === null) { showAll(); }  // a filtered-out match: show everything
    network.selectNodes([id]);
    network.focus(id, { scale: 1.2, animation: false });
    html.setAttribute("data-focused", String(id));
  }

  function search(text) {
    if (folded === null) {
      folded = nodes.get({ fields: ["id", "label"] }).map(function (n) {
        return [n.id, fold(n.label), n.label];
      });
    }
    var wanted = fold(text.trim());
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (!wanted) { count.textContent = ""; return []; }
    var found = folded.filter(function (row) { return row[1].indexOf(wanted) >= 0; });
    count.textContent = found.length ? found.length + " " + page.words.matches
                                     : page.words.no_match;
    found.slice(0, page.max_results).forEach(function (row) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      // <bdi>: a right-to-left name cannot reorder the text around it (the label itself was
      // stripped of bidi overrides in Python).
      var name = document.createElement("bdi");
      name.textContent = row[2];
      button.appendChild(name);
      button.addEventListener("click", function () { focusOn(row[0]); });
      item.appendChild(button);
      results.appendChild(item);
    });
    return found;
  }

  var input = document.getElementById("search");
  input.addEventListener("input", function () { search(input.value); });
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var found = search(input.value);
    if (found.length) {
      var shown = found.filter(function (row) { return nodeView.get(row[0]) !== null; });
      focusOn((shown.length ? shown : found)[0][0]);  // prefer a match the filters show
    }
  });
}());
