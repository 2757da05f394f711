// name: methods_on_dataset
// description: methods and models evaluated on a dataset, by number of papers stating it
// param: dataset STRING ImageNet — dataset name, alias or key (case-insensitive)
// param: limit INTEGER(1..1000000) 25 — most rows
MATCH (d:Dataset)
WHERE d.key = $dataset OR toLower(d.name) = toLower($dataset) OR any(a IN d.aliases WHERE toLower(a) = toLower($dataset))
MATCH (s:Entity)-[r:EVALUATED_ON]->(d)
WITH d, s, r.paper AS paper
ORDER BY paper
WITH d, s, collect(DISTINCT paper) AS papers
RETURN s.name AS system, [l IN labels(s) WHERE l <> 'Entity'][0] AS kind, d.name AS dataset, size(papers) AS count,
       papers
ORDER BY count DESC, system, s.key, d.key
LIMIT $limit
