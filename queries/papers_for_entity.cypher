// name: papers_for_entity
// description: the papers that mention an entity, those that propose it first
// param: entity STRING ImageNet — entity name, alias or key (case-insensitive)
// param: limit INTEGER(1..1000000) 20 — most rows
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity) OR any(a IN e.aliases WHERE toLower(a) = toLower($entity))
MATCH (p:Paper)-[:MENTIONS]->(e)
RETURN e.name AS entity, p.id AS paper, p.title AS title, EXISTS { (p)-[:PROPOSES]->(e) } AS proposes
ORDER BY entity, e.key, proposes DESC, paper
LIMIT $limit
