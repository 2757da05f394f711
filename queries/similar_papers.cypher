// name: similar_papers
// description: papers that mention the most entities in common with a paper
// param: paper STRING t41281670c46f2604 — paper id or key
// param: limit INTEGER(1..1000000) 10 — most rows
MATCH (p:Paper)
WHERE p.id = $paper OR p.key = $paper
MATCH (p)-[:MENTIONS]->(e:Entity)<-[:MENTIONS]-(q:Paper)
WHERE q <> p
WITH q, e
ORDER BY e.name
WITH q, collect(e.name) AS shared
RETURN q.id AS paper, q.title AS title, size(shared) AS count, shared
ORDER BY count DESC, paper
LIMIT $limit
