// Draws a kg page's graph with vis-network and wires tooltips, details and search.
// Text from papers only ever reaches the page through textContent: tooltips and lists are DOM nodes,
// never HTML strings (vis-network would render an HTML string tooltip as markup).
"use strict";

(function () {
  const root = document.body.dataset.root || "";
  const data = JSON.parse(document.getElementById("kg-graph").textContent);
  const container = document.getElementById("graph");
  const isIndex = document.body.classList.contains("index");

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function pageLink(node) {
    const link = element("a", node.info.name);
    link.href = root + node.url;
    return link;
  }

  function describe(info, box) {
    const head = box.appendChild(element("div", "", "tip-head"));
    head.appendChild(element("strong", info.name));
    head.appendChild(element("span", info.kind, "tip-kind"));
    if (info.aliases.length) box.appendChild(element("div", "also: " + info.aliases.join(", "), "tip-aliases"));
    if (info.evidence) box.appendChild(element("blockquote", info.evidence, "tip-evidence"));
    if (info.paper) box.appendChild(element("div", "in: " + info.paper, "tip-paper"));
    return box;
  }

  const nodes = new vis.DataSet(data.nodes.map(function (node) {
    return Object.assign({}, node, {title: describe(node.info, element("div", "", "tip"))});
  }));
  const edges = new vis.DataSet(data.edges.map(function (edge, i) {
    return Object.assign({}, edge, {id: i, title: element("div", edge.predicate, "tip")});
  }));
  const options = {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: isIndex, hideEdgesOnZoom: isIndex,
                  navigationButtons: false, keyboard: false},
    nodes: {shape: "dot", borderWidth: 1, font: {size: 14, face: "sans-serif"}},
    edges: {smooth: false, width: isIndex ? 0.6 : 1, color: {color: "#b0b7c3", highlight: "#333", hover: "#333"},
            arrows: {to: {scaleFactor: 0.5}}, font: {size: 11, align: "middle"}},
  };
  const network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.kg = {network: network, nodes: nodes, edges: edges};  // for the console (and the browser tests)
  network.once("afterDrawing", function () {
    window.kgDrawnAt = performance.now();
    document.body.dataset.drawnNodes = String(nodes.length);
  });
  network.on("doubleClick", function (event) {
    const node = event.nodes.length ? nodes.get(event.nodes[0]) : null;
    if (node && node.url) window.location.href = root + node.url;
  });

  if (!isIndex) return;

  const details = document.getElementById("details");
  function select(id) {
    const node = nodes.get(id);
    details.replaceChildren();
    describe(node.info, details);
    if (node.url) {
      const link = pageLink(node);
      link.textContent = "open its page";
      details.appendChild(element("p")).appendChild(link);
    }
    details.hidden = false;
  }
  network.on("selectNode", function (event) { select(event.nodes[0]); });
  network.on("deselectNode", function () { details.hidden = true; });

  const search = document.getElementById("search");
  const results = document.getElementById("results");
  const names = data.nodes.filter(function (node) { return node.url && node.kind !== "Claim"; }).map(function (node) {
    return {node: node, text: [node.info.name].concat(node.info.aliases).join("\n").toLowerCase()};
  });
  search.addEventListener("input", function () {
    const query = search.value.trim().toLowerCase();
    results.replaceChildren();
    if (query.length < 2) return;
    const hits = names.filter(function (entry) { return entry.text.includes(query); }).slice(0, 25);
    for (const hit of hits) {
      const item = results.appendChild(element("li"));
      item.appendChild(pageLink(hit.node));
      item.appendChild(element("span", " " + hit.node.kind + " ", "result-kind"));
      const show = item.appendChild(element("button", "show", "show"));
      show.type = "button";
      show.addEventListener("click", function () {
        network.selectNodes([hit.node.id]);
        network.focus(hit.node.id, {scale: 1.2, animation: false});
        select(hit.node.id);
      });
    }
    if (!hits.length) results.appendChild(element("li", "no match", "none"));
  });
})();
