// name: lineage
// description: what a method builds on: the shortest uses-chain to each entity it reaches within a depth
// param: method STRING PixelBytes — method or model name, alias or key (case-insensitive)
// param: depth INTEGER(1..10) 3 — longest chain
MATCH (m:Entity)
WHERE m.key = $method OR toLower(m.name) = toLower($method) OR any(a IN m.aliases WHERE toLower(a) = toLower($method))
MATCH p = ANY SHORTEST (m)-[:USES]->+(x:Entity)
WITH m, p, x
WHERE length(p) <= $depth AND x <> m
RETURN m.name AS method, length(p) AS depth, x.name AS entity, [l IN labels(x) WHERE l <> 'Entity'][0] AS kind,
       [n IN nodes(p) | n.name] AS chain
ORDER BY method, depth, entity
