-- raqib warehouse, migration 008: v_events works out the actor columns of the events it returns, not of all.
--
-- It joined v_event_sides, which ranks and aggregates the actors of every stored event, and a filter on
-- v_events (a run's summary asks for `run_id = ?`) was applied only after that, so every run's summary cost
-- as much as the whole history: 0.38 s at 100,000 articles for a run of 4,238 events. The same columns, worked
-- out per event in a lateral subquery, are worked out only for the events a filter keeps: 0.07 s. The rows are
-- the same (all 310,047 of the generated 100,000-article warehouse compared); v_event_sides stays as it was.

CREATE OR REPLACE VIEW v_events AS
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
LEFT JOIN LATERAL (
    -- v_event_sides for this event alone
    WITH sided AS (
        SELECT ea.*, actor_side(ea.role) AS side,
               CASE WHEN ea.role IN ('actor1', 'actor2') THEN 0 ELSE 1 END AS assoc_rank
        FROM event_actors AS ea
        WHERE ea.event_id = e.event_id
    ), ranked AS (
        SELECT *, row_number() OVER (PARTITION BY side ORDER BY assoc_rank, position) AS rank_in_side
        FROM sided
    )
    SELECT
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
) AS s ON true
LEFT JOIN incident_reports AS r USING (event_id);
