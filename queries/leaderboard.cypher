// name: leaderboard
// description: numeric claims for a dataset and a metric, best first (lower-is-better metrics such as FID ascending)
// param: dataset STRING ImageNet — dataset name, alias or key (case-insensitive)
// param: metric STRING FID — metric as the claims name it, or a Metric entity's name, alias or key
// param: direction STRING absolute — which claims: absolute results (absolute) or improvements (higher, lower; largest first)
// param: lower_is_better LIST<STRING> fid,fvd,latency,perplexity,error,wer,cer,loss,mse,mae,rmse,time,memory,bits per — a metric containing one of these ranks ascending
// param: limit INTEGER 20 — most rows
MATCH (d:Dataset)
WHERE d.key = $dataset OR toLower(d.name) = toLower($dataset) OR any(a IN d.aliases WHERE toLower(a) = toLower($dataset))
MATCH (c:Claim)-[:MEASURED_ON]->(d)
WHERE c.direction = $direction
  AND (toLower(c.metric) = toLower($metric)
       OR EXISTS {
         MATCH (c)-[:MEASURES]->(m:Metric)
         WHERE m.key = $metric OR toLower(m.name) = toLower($metric) OR any(a IN m.aliases WHERE toLower(a) = toLower($metric))
       })
OPTIONAL MATCH (c)-[:ABOUT]->(s:Entity)
WITH c, s, d, $direction = 'absolute' AND any(w IN $lower_is_better WHERE toLower($metric) CONTAINS toLower(w)) AS ascending
ORDER BY CASE WHEN ascending THEN c.value ELSE -c.value END, c.paper_id, c.start
WITH collect({system: s.name, value: c.value, unit: c.unit, metric: c.metric, dataset: d.name, paper: c.paper_id,
              order: CASE WHEN ascending THEN 'ascending' ELSE 'descending' END, evidence: c.evidence}) AS rows
UNWIND range(0, size(rows) - 1) AS i
RETURN i + 1 AS rank, rows[i].system AS system, rows[i].value AS value, rows[i].unit AS unit,
       rows[i].metric AS metric, rows[i].dataset AS dataset, rows[i].order AS order, rows[i].paper AS paper,
       rows[i].evidence AS evidence
LIMIT $limit
