// name: entity_claims
// description: the numeric claims about an entity, with their metric, dataset and baseline
// param: entity STRING PixNerd — entity name, alias or key (case-insensitive)
// param: limit INTEGER(1..1000000) 50 — most rows
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity) OR any(a IN e.aliases WHERE toLower(a) = toLower($entity))
MATCH (c:Claim)-[:ABOUT]->(e)
OPTIONAL MATCH (c)-[:MEASURED_ON]->(d:Dataset)
RETURN e.name AS entity, c.value AS value, c.unit AS unit, c.metric AS metric, c.direction AS direction,
       d.name AS dataset, c.baseline AS baseline, c.paper_id AS paper, c.evidence AS evidence
ORDER BY entity, e.key, paper, c.start, c.key
LIMIT $limit
