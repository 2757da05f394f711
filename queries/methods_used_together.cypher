// name: methods_used_together
// description: pairs of methods or models that papers use together (uses relations of one paper), by number of papers
// param: min_papers INTEGER(1..100000) 2 — fewest papers per pair
// param: limit INTEGER(1..1000000) 20 — most rows
MATCH (:Entity)-[r:USES]->(a:Entity)
WHERE a:Method OR a:Model
WITH r.paper AS paper, collect(DISTINCT a) AS used
UNWIND used AS a
UNWIND used AS b
WITH a, b, paper
WHERE a.key < b.key
WITH a, b, paper
ORDER BY paper
WITH a, b, collect(paper) AS papers
WHERE size(papers) >= $min_papers
RETURN a.name AS first, b.name AS second, size(papers) AS count, papers
ORDER BY count DESC, first, second, a.key, b.key
LIMIT $limit
