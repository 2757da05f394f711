// name: claims_without_subject
// description: quality check: claims whose subject (what achieves the number) was not found
// param: limit INTEGER(1..1000000) 50 — most rows
MATCH (p:Paper)-[:REPORTS]->(c:Claim)
WHERE NOT EXISTS { (c)-[:ABOUT]->() }
RETURN p.id AS paper, c.value_text AS value, c.unit AS unit, c.metric AS metric, c.evidence AS evidence
ORDER BY paper, c.start, c.key
LIMIT $limit
