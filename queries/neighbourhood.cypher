// name: neighbourhood
// description: every node one relationship away from an entity, by relationship type and direction
// param: entity STRING speculative decoding — entity name, alias or key (case-insensitive)
// param: limit INTEGER(1..1000000) 50 — most rows
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity) OR any(a IN e.aliases WHERE toLower(a) = toLower($entity))
MATCH (e)-[r]-(n)
WITH e, type(r) AS relationship, CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction, n, count(r) AS papers
RETURN e.name AS entity, relationship, direction,
       coalesce(n.name, n.title, trim(n.value_text + ' ' + n.unit)) AS neighbour,
       [l IN labels(n) WHERE l <> 'Entity'][0] AS kind, papers
ORDER BY entity, e.key, relationship, direction, papers DESC, neighbour, kind
LIMIT $limit
