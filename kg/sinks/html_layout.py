"""Node positions for the HTML graphs, computed in Python so that the browser draws without physics.

Two graphs are drawn: a node's neighbourhood (the node in the middle, its neighbours on a sunflower spiral around
it), and the corpus overview (the most studied tasks, datasets, methods, models and metrics, linked by the papers
that mention them together), laid out by ForceAtlas2: it has at most 45 nodes whatever the corpus size. Both are
then moved apart by :func:`separate` until no two labels overlap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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


def overview_layout(nodes: Sequence[str], weights: Mapping[tuple[str, str], int], boxes: Mapping[str, Position], *,
                    seed: int = 0, iterations: int = 300, width: float = 1200.0,
                    height: float = 560.0) -> dict[str, Position]:
    """Positions of a small weighted graph (the corpus overview): linked nodes close, the others apart, spread
    over a ``width`` x ``height`` box (vis-network's pixel units) so that the browser draws it at about its
    natural size, then moved apart until no two nodes' boxes (the dot and its label) overlap.

    Args:
        nodes: the nodes, in a fixed order.
        weights: the links and their weights (papers shared).
        boxes: each node's half width and half height, label included.
        seed: seed of the force layout; the same input and seed give the same positions.
        iterations: force layout iterations.
    """
    if not nodes:
        return {}
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for (a, b), weight in weights.items():
        graph.add_edge(a, b, weight=float(weight))
    # hubs (the most studied entities) are pushed out of the centre so that their neighbours' labels have room
    placed = nx.forceatlas2_layout(graph, seed=seed, max_iter=iterations, weight="weight", strong_gravity=True,
                                   distributed_action=True)
    xs, ys = [float(p[0]) for p in placed.values()], [float(p[1]) for p in placed.values()]

    def spread(value: float, low: float, high: float, size: float) -> float:
        return 0.0 if high == low else (value - low) / (high - low) * size - size / 2

    positions = {node: (spread(float(x), min(xs), max(xs), width), spread(float(y), min(ys), max(ys), height))
                 for node, (x, y) in placed.items()}
    return separate(positions, boxes)


def separate(positions: Mapping[str, Position], boxes: Mapping[str, Position], *,
             rounds: int = 200) -> dict[str, Position]:
    """``positions`` with overlapping boxes pushed apart, each pair along the axis that needs the smaller move."""
    placed = dict(positions)
    names = sorted(placed)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (ax, ay), (bx, by) = placed[a], placed[b]
                dx, dy = bx - ax, by - ay
                overlap_x = boxes[a][0] + boxes[b][0] - abs(dx)
                overlap_y = boxes[a][1] + boxes[b][1] - abs(dy)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                moved = True
                if overlap_x < overlap_y:
                    shift = (overlap_x / 2 + 1) * (1 if dx >= 0 else -1)
                    placed[a], placed[b] = (ax - shift, ay), (bx + shift, by)
                else:
                    shift = (overlap_y / 2 + 1) * (1 if dy >= 0 else -1)
                    placed[a], placed[b] = (ax, ay - shift), (bx, by + shift)
        if not moved:
            break
    return placed
