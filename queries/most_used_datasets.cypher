// name: most_used_datasets
// description: datasets by the number of papers that mention them, with the number of systems evaluated on them
// param: limit INTEGER(1..1000000) 10 — most rows
MATCH (d:Dataset)
OPTIONAL MATCH (p:Paper)-[:MENTIONS]->(d)
WITH d, count(DISTINCT p) AS papers
OPTIONAL MATCH (s:Entity)-[:EVALUATED_ON]->(d)
WITH d, papers, count(DISTINCT s) AS systems
RETURN d.name AS dataset, d.key AS key, papers, systems
ORDER BY papers DESC, systems DESC, dataset, key
LIMIT $limit
