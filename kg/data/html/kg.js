// Draws a kg page's graph with vis-network (when the page has one), and wires tooltips, the index's kind filters
// and search. Text from papers only ever reaches the page through textContent: tooltips and lists are DOM nodes,
// never HTML strings (vis-network would render an HTML string tooltip as markup).
"use strict";

(function () {
  const root = document.body.dataset.root || "";

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function describe(info, box) {
    const head = box.appendChild(element("div", "", "tip-head"));
    head.appendChild(element("strong", info.name));
    head.appendChild(element("span", info.kind, "tip-kind"));
    if (info.aliases.length) box.appendChild(element("div", "also: " + info.aliases.join(", "), "tip-aliases"));
    if (info.evidence) box.appendChild(element("blockquote", info.evidence, "tip-evidence"));
    if (info.paper) box.appendChild(element("div", (info.evidence ? "in: " : "") + info.paper, "tip-paper"));
    return box;
  }

  function ready(count) {
    window.kgDrawnAt = performance.now();
    document.body.dataset.drawnNodes = String(count);
  }

  function draw(data) {
    const overview = Boolean(data.overview);
    const nodes = new vis.DataSet(data.nodes.map(function (node) {
      return Object.assign({}, node, {title: describe(node.info, element("div", "", "tip"))});
    }));
    const edges = new vis.DataSet(data.edges.map(function (edge, i) {
      return Object.assign({}, edge, {id: i, title: element("div", edge.predicate, "tip")});
    }));
    const options = {
      physics: {enabled: false},
      layout: {improvedLayout: false},
      interaction: {hover: true, tooltipDelay: 120, navigationButtons: false, keyboard: false},
      nodes: {shape: "dot", borderWidth: 1, font: {size: overview ? 15 : 14, face: "sans-serif",
                                                   strokeWidth: 4, strokeColor: "#ffffff"}},
      edges: {smooth: false, width: 1, color: {color: overview ? "#d5d9e0" : "#b0b7c3", highlight: "#333",
                                               hover: "#333"},
              arrows: {to: {scaleFactor: 0.5}}, font: {size: 11, align: "middle"}},
    };
    const network = new vis.Network(document.getElementById("graph"), {nodes: nodes, edges: edges}, options);
    window.kg = {network: network, nodes: nodes, edges: edges};  // for the console (and the browser tests)
    network.once("afterDrawing", function () { ready(nodes.length); });
    network.on(overview ? "click" : "doubleClick", function (event) {
      const node = event.nodes.length ? nodes.get(event.nodes[0]) : null;
      if (node && node.url) window.location.href = root + node.url;
    });
    for (const box of document.querySelectorAll("#kinds input[data-kind]")) {
      box.addEventListener("change", function () {
        nodes.update(nodes.get({filter: function (node) { return node.kind === box.dataset.kind; }})
          .map(function (node) { return {id: node.id, hidden: !box.checked}; }));
      });
    }
  }

  // Search: the index of every entity and paper is a script of its own, loaded on the first search.
  function search(input, results) {
    let entries = null;
    function show() {
      const query = input.value.trim().toLowerCase();
      results.replaceChildren();
      if (query.length < 2 || entries === null) return;
      const hits = [];
      for (const entry of entries) {
        const rank = entry.name === query ? 0 : entry.name.startsWith(query) ? 1 :
          entry.text.includes(query) ? 2 : -1;
        if (rank >= 0) hits.push({rank: rank, entry: entry});
      }
      hits.sort(function (a, b) { return a.rank - b.rank; });
      for (const hit of hits.slice(0, 25)) {
        const item = results.appendChild(element("li"));
        const link = item.appendChild(element("a", hit.entry.row[0]));
        link.href = root + hit.entry.row[2];
        item.appendChild(element("span", " " + hit.entry.row[1], "result-kind"));
      }
      if (!hits.length) results.appendChild(element("li", "no match", "none"));
    }
    function load() {
      if (document.getElementById("kg-search-index")) return;
      const script = document.createElement("script");
      script.id = "kg-search-index";
      script.src = root + "search-index.js";
      script.addEventListener("load", function () {
        entries = window.kgSearchIndex.map(function (row) {
          return {row: row, name: row[0].toLowerCase(), text: (row[0] + "\n" + row[3]).toLowerCase()};
        });
        show();
      });
      document.body.appendChild(script);
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load(); show(); });
  }

  const input = document.getElementById("search");
  if (input) search(input, document.getElementById("results"));
  const data = document.getElementById("kg-graph");
  if (data) draw(JSON.parse(data.textContent));
  else ready(0);
})();
