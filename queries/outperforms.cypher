// name: outperforms
// description: what a method or model outperforms, and what outperforms it
// param: method STRING PV-Tuning — method or model name, alias or key (case-insensitive)
MATCH (m:Entity)
WHERE m.key = $method OR toLower(m.name) = toLower($method) OR any(a IN m.aliases WHERE toLower(a) = toLower($method))
CALL (m) {
  MATCH (m)-[r:OUTPERFORMS]->(o:Entity)
  RETURN 'outperforms' AS relation, o, r.paper AS paper
  UNION
  MATCH (o:Entity)-[r:OUTPERFORMS]->(m)
  RETURN 'outperformed by' AS relation, o, r.paper AS paper
}
WITH m, relation, o, paper
ORDER BY paper
WITH m, relation, o, collect(paper) AS papers
RETURN m.name AS method, relation, o.name AS other, [l IN labels(o) WHERE l <> 'Entity'][0] AS kind, papers
ORDER BY relation DESC, size(papers) DESC, other, o.key, m.key
