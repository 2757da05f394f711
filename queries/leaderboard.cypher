// name: leaderboard
// description: ranked results per dataset, metric and setting, best first by the metric's direction; one row per system and paper
// param: dataset STRING ImageNet — dataset name, alias or key (case-insensitive); *: every dataset
// param: metric STRING FID — metric name, alias or key (case-insensitive); *: every metric
// param: setting STRING * — a setting as leaderboards label it (256×256, 5-shot) or one of its parts; *: every setting
// param: task STRING * — only results of papers that mention this task (name, alias or key); *: every task
// param: limit INTEGER(1..1000000) 100 — most rows
MATCH (p:Paper)-[:REPORTS]->(c:Claim)-[:MEASURED_ON]->(d:Dataset), (c)-[:MEASURES]->(m:Metric)
WHERE c.is_result
  AND ($dataset = '*' OR d.key = $dataset OR toLower(d.name) = toLower($dataset)
       OR any(a IN d.aliases WHERE toLower(a) = toLower($dataset)))
  AND ($metric = '*' OR m.key = $metric OR toLower(m.name) = toLower($metric)
       OR any(a IN m.aliases WHERE toLower(a) = toLower($metric)))
  AND ($setting = '*' OR toLower(coalesce(c.setting, '')) = toLower($setting)
       OR any(x IN [c.subset, c.resolution, c.split, c.shots] WHERE toLower(x) = toLower($setting)))
  AND ($task = '*' OR EXISTS {
         MATCH (p)-[:MENTIONS]->(t:Task)
         WHERE t.key = $task OR toLower(t.name) = toLower($task) OR any(a IN t.aliases WHERE toLower(a) = toLower($task))
       })
OPTIONAL MATCH (c)-[:ABOUT]->(s:Entity)
WITH d, m, coalesce(c.setting, '') AS setting, s, p, c,
     CASE WHEN c.higher_is_better THEN -c.value ELSE c.value END AS score
ORDER BY score, c.key
WITH d, m, setting, s, p, collect(c)[0] AS c, min(score) AS score
ORDER BY score, p.id, coalesce(s.key, '')
WITH d, m, setting,
     collect({system: s.name, value: c.value, unit: c.unit, paper: p.id, title: p.title, date: p.date,
              evidence: c.evidence, confidence: c.confidence}) AS rows
UNWIND range(0, size(rows) - 1) AS i
RETURN d.name AS dataset, m.name AS metric, setting, i + 1 AS rank, rows[i].system AS system,
       rows[i].value AS value, rows[i].unit AS unit, rows[i].paper AS paper, rows[i].title AS title,
       rows[i].date AS date, rows[i].evidence AS evidence, rows[i].confidence AS confidence
ORDER BY dataset, d.key, metric, m.key, setting, rank
LIMIT $limit
