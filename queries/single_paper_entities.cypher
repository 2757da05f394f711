// name: single_paper_entities
// description: quality check: per entity kind, how many entities only one paper mentions, with examples
// param: examples INTEGER(0..1000) 5 — example names per kind
MATCH (e:Entity)
WITH e, COUNT { (:Paper)-[:MENTIONS]->(e) } AS papers
ORDER BY e.name
WITH [l IN labels(e) WHERE l <> 'Entity'][0] AS kind, count(e) AS entities,
     collect(CASE WHEN papers = 1 THEN e.name END) AS single
RETURN kind, entities, size(single) AS single_paper, round(100.0 * size(single) / entities, 1) AS percent,
       single[0..$examples] AS examples
ORDER BY kind
