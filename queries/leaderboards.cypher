// name: leaderboards
// description: every leaderboard (dataset, metric and setting) with at least min_rows rows, largest first, with its best result
// param: min_rows INTEGER(1..100000) 2 — fewest rows (one per system and paper)
// param: limit INTEGER(1..1000000) 50 — most leaderboards
MATCH (p:Paper)-[:REPORTS]->(c:Claim)-[:MEASURED_ON]->(d:Dataset), (c)-[:MEASURES]->(m:Metric)
WHERE c.is_result
OPTIONAL MATCH (c)-[:ABOUT]->(s:Entity)
WITH d, m, coalesce(c.setting, '') AS setting, s, p, c,
     CASE WHEN c.higher_is_better THEN -c.value ELSE c.value END AS score
ORDER BY score, c.key
WITH d, m, setting, s, p, collect(c)[0] AS c, min(score) AS score
ORDER BY score, p.id, coalesce(s.key, '')
WITH d, m, setting, collect({system: s.name, value: c.value, unit: c.unit, paper: p.id}) AS rows
WHERE size(rows) >= $min_rows
RETURN d.name AS dataset, m.name AS metric, setting, size(rows) AS rows, rows[0].value AS best,
       rows[0].unit AS unit, rows[0].system AS system, rows[0].paper AS paper
ORDER BY rows DESC, dataset, metric, setting
LIMIT $limit
