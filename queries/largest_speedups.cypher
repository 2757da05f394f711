// name: largest_speedups
// description: the largest speed-ups claimed (claims in a unit such as x whose metric speaks of speed), largest first
// param: unit STRING x — unit of the claims
// param: words LIST<STRING> speed,fast,throughput,accelerat — a claim counts when its metric contains one of these
// param: limit INTEGER(1..1000000) 10 — most rows
MATCH (p:Paper)-[:REPORTS]->(c:Claim)
WHERE c.unit = $unit AND c.direction = 'higher' AND any(w IN $words WHERE toLower(c.metric) CONTAINS toLower(w))
OPTIONAL MATCH (c)-[:ABOUT]->(s:Entity)
RETURN c.value AS speedup, c.value_text AS value_text, s.name AS system, c.metric AS metric, c.baseline AS baseline,
       p.id AS paper, c.evidence AS evidence
ORDER BY speedup DESC, paper, c.start, c.key
LIMIT $limit
