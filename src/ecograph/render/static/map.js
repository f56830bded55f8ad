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
  // Labels are drawn by ecograph (below), not by vis-network: only those that fit without
  // overlapping, at a constant screen size, the most important first.
  nodeList.forEach(function (node) { node.name = node.label; delete node.label; });
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
  // The basemap (geo layout): commune, EPCI and département borders, lightest first, in
  // the nodes' plane, with widths in screen pixels whatever the zoom.
  var basemap = page.basemap || {};
  var borderStyles = [["commune", "#d4d4d4", 0.6], ["epci", "#a8a8a8", 1.1],
                      ["departement", "#6e6e6e", 1.8]];
  // Layers (geo layout): the communes filled by a figure, as the report's maps are, chosen
  // in the panel; drawn under the borders.
  var layers = page.layers || {};
  var layerChoice = document.getElementById("layer");
  var layerLegend = document.getElementById("layer-legend");
  var activeLayer = null;
  if (layerChoice) {
    layerChoice.addEventListener("change", function () {
      activeLayer = layerChoice.value === "" ? null : layers.layers[Number(layerChoice.value)];
      layerLegend.textContent = "";
      (activeLayer ? activeLayer.legend : []).forEach(function (entry) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = entry[0];
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(entry[1]));
        layerLegend.appendChild(item);
      });
      html.setAttribute("data-layer", activeLayer ? activeLayer.id : "");
      network.redraw();
    });
  }
  function fillLayer(ctx) {
    if (!activeLayer) { return; }
    ctx.save();
    ctx.globalAlpha = 0.8;
    layers.shapes.forEach(function (rings, i) {
      var colour = activeLayer.colours[i];
      if (colour === "#ffffff") { return; }
      ctx.beginPath();
      rings.forEach(function (flat) {
        ctx.moveTo(flat[0], flat[1]);
        for (var k = 2; k < flat.length; k += 2) { ctx.lineTo(flat[k], flat[k + 1]); }
        ctx.closePath();
      });
      ctx.fillStyle = colour;
      ctx.fill("evenodd");
    });
    ctx.restore();
  }
  network.on("beforeDrawing", function (ctx) {
    fillLayer(ctx);
    var lines = 0;
    var scale = network.getScale();
    borderStyles.forEach(function (style) {
      var polylines = basemap[style[0]] || [];
      if (!polylines.length) { return; }
      ctx.save();
      ctx.beginPath();
      polylines.forEach(function (flat) {
        ctx.moveTo(flat[0], flat[1]);
        for (var i = 2; i < flat.length; i += 2) { ctx.lineTo(flat[i], flat[i + 1]); }
      });
      ctx.strokeStyle = style[1];
      ctx.lineWidth = style[2] / scale;
      ctx.lineJoin = "round";
      ctx.stroke();
      ctx.restore();
      lines += polylines.length;
    });
    html.setAttribute("data-basemap", String(lines));
    drawPlaceNames(ctx);
  });

  // Commune names on the basemap, once the zoom gives a commune room for its name: each
  // at its centre, grey under the network, most populous first, none over another.
  var placeNames = page.place_names || [];
  var NAME_PX = 11;
  var nameMeasure = document.createElement("canvas").getContext("2d");
  nameMeasure.font = "italic " + NAME_PX + "px " + options.nodes.font.face;
  var nameWidths = [];
  var shownNames = { key: "", list: [] };
  function chooseNames() {
    var W = container.clientWidth;
    var H = container.clientHeight;
    var scale = network.getScale();
    var kept = [];
    for (var i = 0; i < placeNames.length && kept.length < 400; i++) {
      var row = placeNames[i];
      if (nameWidths[i] === undefined) { nameWidths[i] = nameMeasure.measureText(row[3]).width; }
      var width = nameWidths[i];
      if (width > 2 * row[2] * scale) { continue; }  // wider than its commune on screen
      var dom = network.canvasToDOM({ x: row[0], y: row[1] });
      var box = { x0: dom.x - width / 2, x1: dom.x + width / 2,
                  y0: dom.y - NAME_PX / 2, y1: dom.y + NAME_PX / 2, name: row[3] };
      if (box.x0 < 0 || box.x1 > W || box.y0 < 0 || box.y1 > H) { continue; }  // whole names
      var free = true;
      for (var k = 0; k < kept.length && free; k++) {
        var o = kept[k];
        free = !(box.x0 < o.x1 + 4 && o.x0 < box.x1 + 4 && box.y0 < o.y1 && o.y0 < box.y1);
      }
      if (free) { kept.push(box); }
    }
    return kept;
  }
  function drawPlaceNames(ctx) {
    if (!placeNames.length) { return; }
    var view = network.getViewPosition();
    var key = [network.getScale(), view.x, view.y, container.clientWidth,
               container.clientHeight].join(" ");
    if (key !== shownNames.key) {
      shownNames = { key: key, list: chooseNames() };
      html.setAttribute("data-place-names", String(shownNames.list.length));
    }
    var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = nameMeasure.font;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#8c8c8c";
    shownNames.list.forEach(function (box) {
      ctx.fillText(box.name, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2);
    });
    ctx.restore();
  }
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
  var labelsShown = null;  // set once the labels of the view are placed
  function showCount() {
    status.textContent = nodeView.length + " " + page.words.shown + " " + nodes.length +
      (page.aggregated ? " · " + page.aggregated : "") +
      (labelsShown === null ? "" : " · " + labelsShown + " " + page.words.labels);
    var ties = layer.filter(function (edge) { return !hidden.e[edge.e]; }).length;
    html.setAttribute("data-shown", String(nodeView.length));
    html.setAttribute("data-edges", String(edgeView.length + ties));
  }

  // ---------------------------------------------------------------- labels
  // Greedy placement in screen pixels: candidates in the view, most important first (the
  // node's size follows the size-by metric), each at the first of four spots around its node
  // (below, above, right, left) whose box overlaps no kept one and lies wholly inside the
  // view. Zooming in makes room, so more labels appear; the
  // others show on hover (the tooltip's first line is the name).
  var LABEL_PX = 12;
  var LABEL_FACE = options.nodes.font.face;
  var MAX_LABELS = 600;
  var container = document.getElementById("map");
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = LABEL_PX + "px " + LABEL_FACE;
  var widths = {};
  var ranked = nodeList.slice().sort(function (a, b) {
    return (b.size - a.size) || (a.id - b.id);
  });
  var placed = { key: "", boxes: [] };

  function labelWidth(node) {
    if (!(node.id in widths)) { widths[node.id] = Math.ceil(measure.measureText(node.name).width); }
    return widths[node.id];
  }

  function chooseLabels() {
    var W = container.clientWidth;
    var H = container.clientHeight;
    var scale = network.getScale();
    var body = network.body.nodes;
    var grid = {};
    var CELL = 64;
    var boxes = [];
    function overlaps(box) {
      for (var gx = Math.floor(box.x0 / CELL); gx <= Math.floor(box.x1 / CELL); gx++) {
        for (var gy = Math.floor(box.y0 / CELL); gy <= Math.floor(box.y1 / CELL); gy++) {
          var cell = grid[gx + "," + gy];
          if (!cell) { continue; }
          for (var i = 0; i < cell.length; i++) {
            var o = cell[i];
            if (box.x0 < o.x1 && o.x0 < box.x1 && box.y0 < o.y1 && o.y0 < box.y1) { return true; }
          }
        }
      }
      return false;
    }
    for (var i = 0; i < ranked.length && boxes.length < MAX_LABELS; i++) {
      var node = ranked[i];
      var at = body[node.id];
      if (!at || !node.name || nodeView.get(node.id) === null) { continue; }
      var dom = network.canvasToDOM({ x: at.x, y: at.y });
      var width = labelWidth(node) + 4;
      var r = node.size * scale + 2;
      var tall = LABEL_PX + 3;
      // below the node first, then above, right and left: the first that fits and is free
      var spots = [[dom.x - width / 2, dom.y + r], [dom.x - width / 2, dom.y - r - tall],
                   [dom.x + r, dom.y - tall / 2], [dom.x - r - width, dom.y - tall / 2]];
      var box = null;
      for (var s = 0; s < spots.length && box === null; s++) {
        var c = { id: node.id, x0: spots[s][0], x1: spots[s][0] + width,
                  y0: spots[s][1], y1: spots[s][1] + tall };
        if (c.x0 >= 0 && c.y0 >= 0 && c.x1 <= W && c.y1 <= H && !overlaps(c)) { box = c; }
      }
      if (box === null) { continue; }
      boxes.push(box);
      for (var gx = Math.floor(box.x0 / CELL); gx <= Math.floor(box.x1 / CELL); gx++) {
        for (var gy = Math.floor(box.y0 / CELL); gy <= Math.floor(box.y1 / CELL); gy++) {
          (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(box);
        }
      }
    }
    return boxes;
  }

  network.on("afterDrawing", function (ctx) {
    var view = network.getViewPosition();
    var key = [network.getScale(), view.x, view.y, container.clientWidth,
               container.clientHeight, nodeView.length].join(" ");
    if (key !== placed.key) {
      placed = { key: key, boxes: chooseLabels() };
      html.setAttribute("data-labels-shown", String(placed.boxes.length));
      html.setAttribute("data-labels-hidden", String(nodeView.length - placed.boxes.length));
      if (labelsShown !== placed.boxes.length) {
        labelsShown = placed.boxes.length;
        showCount();
      }
    }
    var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_PX + "px " + LABEL_FACE;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    ctx.fillStyle = "#1a1a1a";
    placed.boxes.forEach(function (box) {
      var name = nodes.get(box.id).name;
      var x = (box.x0 + box.x1) / 2;
      ctx.strokeText(name, x, box.y0 + 1);
      ctx.fillText(name, x, box.y0 + 1);
    });
    ctx.restore();
  });
  // For tests and the gallery: the label boxes of the current view, and the box of each
  // shown node, in screen pixels of the map's area ({width, height} gives its size).
  window.ecographLabels = function () { return placed.boxes.slice(); };
  window.ecographPlaceNames = function () { return shownNames.list.slice(); };
  window.ecographNodeBoxes = function () {
    var scale = network.getScale();
    var body = network.body.nodes;
    return nodeView.getIds().map(function (id) {
      var dom = network.canvasToDOM({ x: body[id].x, y: body[id].y });
      var r = (nodes.get(id).size || 10) * scale;
      return { id: id, x0: dom.x - r, y0: dom.y - r, x1: dom.x + r, y1: dom.y + r };
    });
  };
  window.ecographViewSize = function () {
    return { width: container.clientWidth, height: container.clientHeight };
  };

  // ---------------------------------------------------------------- the view
  // Fit the shown nodes with a margin, so that no node is cut at an edge; vis-network's own
  // fit leaves the outermost nodes half outside.
  var MARGIN = 24;
  function fitView() {
    var body = network.body.nodes;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    nodeView.getIds().forEach(function (id) {
      var at = body[id];
      if (!at) { return; }
      var r = nodes.get(id).size || 10;
      x0 = Math.min(x0, at.x - r); x1 = Math.max(x1, at.x + r);
      y0 = Math.min(y0, at.y - r); y1 = Math.max(y1, at.y + r);
    });
    if (!isFinite(x0)) { return; }
    var W = Math.max(container.clientWidth - 2 * MARGIN, 50);
    var H = Math.max(container.clientHeight - 2 * MARGIN - LABEL_PX, 50);
    var scale = Math.min(W / Math.max(x1 - x0, 1), H / Math.max(y1 - y0, 1), 2.5);
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 + LABEL_PX / (2 * scale) },
                     scale: scale, animation: false });
  }

  // Actors without a tie: named in the panel, one click to find each.
  var tied = {};
  edgeList.forEach(function (edge) {
    if (!edge.dashes) { tied[edge.from] = true; tied[edge.to] = true; }
  });
  var alone = nodeList.filter(function (node) { return !tied[node.id]; });
  var isolated = document.getElementById("isolated");
  if (isolated && alone.length && !page.aggregated) {
    isolated.hidden = false;
    document.getElementById("isolated-count").textContent =
      alone.length + " " + page.words.untied;
    var list = document.getElementById("isolated-list");
    alone.forEach(function (node) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      var name = document.createElement("bdi");
      name.textContent = node.name;
      button.appendChild(name);
      button.addEventListener("click", function () { focusOn(node.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }
  html.setAttribute("data-isolated", String(alone.length));

  timings.network = performance.now();
  fitView();
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
    fitView();
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
      folded = nodes.get({ fields: ["id", "name"] }).map(function (n) {
        return [n.id, fold(n.name), n.name];
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
