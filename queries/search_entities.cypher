// name: search_entities
// description: full-text search over entity names and aliases: entities holding any of the words, best match first
// param: text FULLTEXT diffusion — the words to find (matched as written: Lucene query characters are escaped)
// param: limit INTEGER(1..1000000) 10 — most rows
CALL db.index.fulltext.queryNodes('entity_names', $text, {limit: $limit}) YIELD node, score
RETURN node.name AS name, [l IN labels(node) WHERE l <> 'Entity'][0] AS kind, node.key AS key,
       node.aliases AS aliases, COUNT { (:Paper)-[:MENTIONS]->(node) } AS papers, score
ORDER BY score DESC, name
