-- The benchmark workload (../shared/bench/README.md) in SQL for DuckDB, written by hand:
-- the same logic as playbooks/benchmark.playbook, as of 2026-11-23.
-- Usage: duckdb -batch :memory: -c "SET VARIABLE input='…'; SET VARIABLE output='…';" -f bench/workload.sql
CREATE MACRO ann(b, y) AS make_date(y, month(b),
  CASE WHEN month(b) = 2 AND day(b) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0)) THEN 28 ELSE day(b) END);
COPY (
  WITH c AS (
    SELECT id, orders, lifetime_value, first_order, last_order, nps, complaint, birthday, tags,
      coalesce(orders >= 1, false) AS s1,
      coalesce(orders >= 2 AND complaint <> 'open', false) AS s2,
      coalesce(nps >= 8, false) AS s3,
      coalesce(orders >= 10 AND DATE '2026-11-23' - last_order BETWEEN 0 AND 180, false) AS s4
    FROM read_csv(getvariable('input'), header = true, auto_detect = false, columns = {
      'id': 'VARCHAR', 'name': 'VARCHAR', 'email': 'VARCHAR', 'city': 'VARCHAR',
      'orders': 'DOUBLE', 'lifetime_value': 'DOUBLE', 'first_order': 'DATE', 'last_order': 'DATE',
      'nps': 'DOUBLE', 'complaint': 'VARCHAR', 'opted_in': 'BOOLEAN', 'birthday': 'DATE',
      'channel_pref': 'VARCHAR', 'tags': 'VARCHAR'})
    -- suppress when not opted_in (a missing consent suppresses too)
    WHERE opted_in
  ),
  a AS (
    SELECT *,
      CASE WHEN s1 AND s2 AND s3 AND s4 THEN 'loyaal' WHEN s1 AND s2 AND s3 THEN 'relatie'
           WHEN s1 AND s2 THEN 'vertrouwen' WHEN s1 THEN 'meerwaarde' END AS stage,
      CASE WHEN ann(birthday, 2026) >= DATE '2026-11-23' THEN ann(birthday, 2026) ELSE ann(birthday, 2027) END
        - DATE '2026-11-23' AS to_anniversary
    FROM c
  )
  SELECT id AS customer, stage AS relatie_fase, 'surprise_after_complaint' AS rule, 'surprise' AS action FROM a
    WHERE stage = 'vertrouwen' AND complaint = 'resolved'
  UNION ALL SELECT id, stage, 'winback_sleepers', 'winback' FROM a
    WHERE orders >= 3 AND DATE '2026-11-23' - last_order > 90
  UNION ALL SELECT id, stage, 'birthday', 'birthday_gift' FROM a
    WHERE to_anniversary <= 7
  UNION ALL SELECT id, stage, 'upsell_relationship', 'upsell' FROM a
    WHERE stage = 'relatie' AND lifetime_value > 500
      AND NOT coalesce(list_contains(string_split(tags, ';'), 'no-upsell'), false)
  UNION ALL SELECT id, stage, 'welcome_new', 'welcome' FROM a
    WHERE orders = 1 AND DATE '2026-11-23' - first_order BETWEEN 0 AND 14
  UNION ALL SELECT id, stage, 'referral_loyal', 'referral' FROM a
    WHERE stage = 'loyaal' AND nps >= 9
) TO (getvariable('output')) (HEADER, DELIMITER ',');
