-- raqib warehouse, migration 003: analyst views with ACLED-like columns.

-- ACLED's event_type and sub_event_type for a raqib event_type (used when the extractor gave none).
CREATE MACRO acled_event_type(t) AS
    CASE t
        WHEN 'armed_clash' THEN 'Battles'
        WHEN 'attack' THEN 'Violence against civilians'
        WHEN 'explosion' THEN 'Explosions/Remote violence'
        WHEN 'airstrike' THEN 'Explosions/Remote violence'
        WHEN 'shelling' THEN 'Explosions/Remote violence'
        WHEN 'abduction' THEN 'Violence against civilians'
        WHEN 'protest' THEN 'Protests'
        ELSE 'Strategic developments'
    END;

CREATE MACRO acled_sub_event_type(t) AS
    CASE t
        WHEN 'armed_clash' THEN 'Armed clash'
        WHEN 'attack' THEN 'Attack'
        WHEN 'explosion' THEN 'Remote explosive/landmine/IED'
        WHEN 'airstrike' THEN 'Air/drone strike'
        WHEN 'shelling' THEN 'Shelling/artillery/missile attack'
        WHEN 'abduction' THEN 'Abduction/forced disappearance'
        WHEN 'arrest' THEN 'Arrests'
        WHEN 'defection' THEN 'Change to group/activity'
        WHEN 'meeting' THEN 'Agreement'
        WHEN 'takeover' THEN 'Non-violent transfer of territory'
        WHEN 'protest' THEN 'Peaceful protest'
        ELSE 'Other'
    END;

-- Which side of the event an actor role is on: 1 (actor1 and its associates), 2 (actor2 and its associates);
-- other roles (such as 'associated', with no side) go to other_actors.
CREATE MACRO actor_side(role) AS
    CASE
        WHEN role IN ('actor1', 'assoc_actor_1', 'assoc_actor1', 'assoc1') THEN 1
        WHEN role IN ('actor2', 'assoc_actor_2', 'assoc_actor2', 'assoc2', 'target', 'victim') THEN 2
        ELSE NULL
    END;

CREATE VIEW v_event_sides AS
WITH sided AS (
    SELECT ea.*, actor_side(ea.role) AS side,
           CASE WHEN ea.role IN ('actor1', 'actor2') THEN 0 ELSE 1 END AS assoc_rank
    FROM event_actors AS ea
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY event_id, side ORDER BY assoc_rank, position) AS rank_in_side
    FROM sided
)
SELECT
    event_id,
    max(name) FILTER (WHERE side = 1 AND rank_in_side = 1) AS actor1,
    max(name_ar) FILTER (WHERE side = 1 AND rank_in_side = 1) AS actor1_ar,
    max(actor_type) FILTER (WHERE side = 1 AND rank_in_side = 1) AS actor1_type,
    string_agg(name, '; ' ORDER BY rank_in_side) FILTER (WHERE side = 1 AND rank_in_side > 1) AS assoc_actor_1,
    max(name) FILTER (WHERE side = 2 AND rank_in_side = 1) AS actor2,
    max(name_ar) FILTER (WHERE side = 2 AND rank_in_side = 1) AS actor2_ar,
    max(actor_type) FILTER (WHERE side = 2 AND rank_in_side = 1) AS actor2_type,
    string_agg(name, '; ' ORDER BY rank_in_side) FILTER (WHERE side = 2 AND rank_in_side > 1) AS assoc_actor_2,
    string_agg(name, '; ' ORDER BY position) FILTER (WHERE side IS NULL) AS other_actors
FROM ranked
GROUP BY event_id;

CREATE VIEW v_events AS
SELECT
    e.event_id,
    e.date_start AS event_date,
    e.date_precision,
    coalesce(e.acled_event_type, acled_event_type(e.event_type)) AS event_type,
    coalesce(e.acled_sub_event_type, acled_sub_event_type(e.event_type)) AS sub_event_type,
    s.actor1,
    s.assoc_actor_1,
    s.actor2,
    s.assoc_actor_2,
    e.admin1,
    e.admin2,
    e.admin3,
    e.location_name AS location,
    e.lat AS latitude,
    e.lon AS longitude,
    e.geo_precision,
    e.fatalities,
    a.source,
    a.url AS source_url,
    e.evidence AS notes,
    e.event_type AS raqib_event_type,
    e.date_end,
    e.date_text,
    e.injured,
    e.fatalities_vague,
    e.injured_vague,
    e.confidence,
    e.location_name_ar AS location_ar,
    e.pcode,
    s.actor1_ar,
    s.actor2_ar,
    s.actor1_type,
    s.actor2_type,
    e.content_hash,
    a.title AS article_title,
    a.published,
    a.language,
    e.extractor_version,
    r.incident_id,
    e.span_start,
    e.span_end,
    e.location_id,
    e.run_id,
    s.other_actors
FROM events AS e
JOIN articles AS a USING (content_hash)
LEFT JOIN v_event_sides AS s USING (event_id)
LEFT JOIN incident_reports AS r USING (event_id);

-- Failed fetches and rejections by source and reason, for `raqib status`.
CREATE VIEW v_fetch_failures AS
SELECT source, stage, reason, count(*) AS n, count(DISTINCT url) AS urls, max(fetched_at) AS last_at, any_value(url) AS example_url
FROM fetch_log
WHERE NOT ok AND reason <> 'not_modified'
GROUP BY source, stage, reason;
