// name: tasks_methods
// description: tasks with the number of methods and models addressing them, and the most frequent ones
// param: per_task INTEGER(1..1000) 5 — methods listed per task
// param: limit INTEGER(1..1000000) 20 — most rows
MATCH (s:Entity)-[r:ADDRESSES]->(t:Task)
WITH t, s, count(r) AS papers
ORDER BY papers DESC, s.name
WITH t, count(s) AS systems, collect(s.name) AS names
RETURN t.name AS task, systems, names[0..$per_task] AS top_methods
ORDER BY systems DESC, task, t.key
LIMIT $limit
