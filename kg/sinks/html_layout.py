"""Node positions for the HTML graphs, computed in Python so that the browser draws without physics.

networkx's force layouts keep an n x n distance matrix, too much for every node of a corpus (thousands).
The corpus graph is papers joined by the entities they share, so the force layout (ForceAtlas2, whose
strong gravity keeps papers that share nothing near the rest) runs on the papers alone, linked by shared
entities; a shared entity sits at the centre of its papers, and the nodes of one paper only (most entities,
every claim) sit on a sunflower spiral around it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

import networkx as nx  # type: ignore[import-untyped]

Position = tuple[float, float]

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SPACING = 28.0
"""Distance between neighbouring nodes on a spiral, in vis-network's pixel units."""


def spiral(centre: Position, count: int, *, start: int = 1, spacing: float = SPACING) -> list[Position]:
    """``count`` evenly spread points around ``centre`` (Vogel's sunflower spiral), nearest first."""
    x, y = centre
    points = []
    for i in range(start, start + count):
        radius, angle = spacing * math.sqrt(i), i * GOLDEN_ANGLE
        points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
    return points


def corpus_layout(papers: Sequence[str], papers_of: Mapping[str, Sequence[str]], *, seed: int = 0,
                  iterations: int = 100) -> dict[str, Position]:
    """Positions of every paper and of every node listed in ``papers_of``.

    Args:
        papers: the paper nodes.
        papers_of: for every other node, the papers it belongs to (that mention or report it), sorted.
        seed: seed of the force layout; the same input and seed give the same positions.
        iterations: force layout iterations.
    """
    own: dict[str, list[str]] = defaultdict(list)
    shared: dict[str, Sequence[str]] = {}
    orphans = []
    for node, owners in papers_of.items():
        if len(owners) == 1:
            own[owners[0]].append(node)
        elif owners:
            shared[node] = owners
        else:
            orphans.append(node)

    graph = nx.Graph()
    graph.add_nodes_from(papers)
    for owners in shared.values():
        weight = 1 / (len(owners) - 1)  # an entity of many papers pulls each pair of them less
        for a, b in combinations(owners, 2):
            previous = graph.get_edge_data(a, b, {"weight": 0.0})["weight"]
            graph.add_edge(a, b, weight=previous + weight)
    # a paper with many nodes of its own is heavier: it pushes the others away to make room for its spiral
    placed = nx.forceatlas2_layout(graph, seed=seed, max_iter=iterations, weight="weight", strong_gravity=True,
                                   node_mass={p: 1 + len(own[p]) for p in papers}) if papers else {}
    scale = SPACING * 3 * math.sqrt(len(papers_of) + len(papers))
    positions: dict[str, Position] = {node: (float(x), float(y))
                                      for node, (x, y) in nx.rescale_layout_dict(placed, scale).items()}

    by_centre: dict[Position, list[str]] = defaultdict(list)
    for node, owners in shared.items():
        xs, ys = zip(*(positions[p] for p in owners), strict=True)
        by_centre[(sum(xs) / len(xs), sum(ys) / len(ys))].append(node)
    for centre, nodes in by_centre.items():
        # nodes with the same papers would share a centre: the first one takes it, the others spiral out
        positions.update(zip(nodes, [centre, *spiral(centre, len(nodes) - 1)], strict=True))
    for paper, nodes in own.items():
        positions.update(zip(nodes, spiral(positions[paper], len(nodes), start=2), strict=True))
    positions.update(zip(orphans, spiral((0.0, 0.0), len(orphans)), strict=True))
    return positions
