-- raqib warehouse, migration 004: ACLED's own export form (v_acled, v_acled_incidents) and stable event numbers.
-- Columns, order and values follow the ACLED Codebook 2024; docs/SCHEMA.md ("ACLED form") gives the mapping.

-- The outlet's reach in ACLED's source_scale words, from `scale` in sources.toml.
ALTER TABLE sources ADD COLUMN scale VARCHAR;

-- The number of event_id_cnty ('SYR' || number). Given once per event and kept when a re-extraction rewrites the
-- event (warehouse/acled.py matches old and new events); never given to another event. changed_at moves only when
-- the event's content (its fingerprint) changes, and is ACLED's `timestamp`.
CREATE TABLE event_numbers (
    event_id     VARCHAR PRIMARY KEY,
    number       BIGINT NOT NULL,
    fingerprint  VARCHAR,
    changed_at   TIMESTAMPTZ NOT NULL
);

-- The highest number ever given (one row), so the number of a deleted event is never given again.
CREATE TABLE event_number_state (
    last_number  BIGINT NOT NULL
);

-- What an event says, hashed: an unchanged fingerprint after a re-extraction means an unchanged ACLED row.
CREATE VIEW v_event_fingerprints AS
WITH named AS (
    SELECT event_id, list({'role': role, 'name': name, 'type': actor_type} ORDER BY position) AS actors
    FROM event_actors
    GROUP BY event_id
)
SELECT e.event_id,
       md5(CAST({'type': e.event_type, 'acled': e.acled_event_type, 'sub': e.acled_sub_event_type,
                 'start': e.date_start, 'end': e.date_end, 'precision': e.date_precision,
                 'killed': e.fatalities, 'vague': e.fatalities_vague, 'place': e.location_id,
                 'location': e.location_name, 'admin1': e.admin1, 'admin2': e.admin2, 'admin3': e.admin3,
                 'lat': e.lat, 'lon': e.lon, 'geo': e.geo_precision, 'evidence': e.evidence,
                 'actors': n.actors} AS VARCHAR)) AS fingerprint
FROM events AS e
LEFT JOIN named AS n USING (event_id);

-- Events stored before this migration get numbers in the order their articles arrived.
INSERT INTO event_numbers
SELECT e.event_id,
       row_number() OVER (ORDER BY a.fetched_at NULLS LAST, e.content_hash, e.event_index),
       f.fingerprint,
       coalesce(r.started_at, a.fetched_at, now())
FROM events AS e
JOIN articles AS a USING (content_hash)
JOIN v_event_fingerprints AS f USING (event_id)
LEFT JOIN runs AS r ON r.run_id = e.run_id;

INSERT INTO event_number_state SELECT coalesce(max(number), 0) FROM event_numbers;

-- ACLED's actor type ('inter') for the extractor's actor type, whatever its case or number (State Forces, State forces).
CREATE MACRO acled_inter(t) AS
    CASE
        WHEN lower(t) LIKE 'state force%' THEN 'State forces'
        WHEN lower(t) LIKE 'rebel group%' THEN 'Rebel group'
        WHEN lower(t) LIKE 'political militia%' THEN 'Political militia'
        WHEN lower(t) LIKE 'identity militia%' THEN 'Identity militia'
        WHEN lower(t) LIKE 'rioter%' THEN 'Rioters'
        WHEN lower(t) LIKE 'protester%' OR lower(t) LIKE 'protestor%' THEN 'Protesters'
        WHEN lower(t) LIKE 'civilian%' THEN 'Civilians'
        WHEN lower(t) LIKE 'external%' THEN 'External/Other forces'
        ELSE NULL
    END;

-- Order of actor types inside an interaction: ACLED's inter codes 1-8, except that Civilians always come last
-- ('External/Other forces-Civilians').
CREATE MACRO acled_inter_rank(i) AS
    CASE i
        WHEN 'State forces' THEN 1
        WHEN 'Rebel group' THEN 2
        WHEN 'Political militia' THEN 3
        WHEN 'Identity militia' THEN 4
        WHEN 'Rioters' THEN 5
        WHEN 'Protesters' THEN 6
        WHEN 'External/Other forces' THEN 8
        WHEN 'Civilians' THEN 9
    END;

-- ACLED's interaction: 'State forces-Rebel group', 'Protesters only' (no actor2); empty when a type is unknown.
CREATE MACRO acled_interaction(inter1, inter2, has_actor2) AS
    CASE
        WHEN inter1 IS NULL THEN NULL
        WHEN NOT has_actor2 THEN inter1 || ' only'
        WHEN inter2 IS NULL THEN NULL
        WHEN acled_inter_rank(inter1) <= acled_inter_rank(inter2) THEN inter1 || '-' || inter2
        ELSE inter2 || '-' || inter1
    END;

-- ACLED's disorder_type for an event type and sub-event type.
CREATE MACRO acled_disorder_type(event_type, sub_event_type) AS
    CASE
        WHEN sub_event_type IN ('Excessive force against protesters', 'Mob violence') THEN 'Political violence; Demonstrations'
        WHEN event_type IN ('Protests', 'Riots') THEN 'Demonstrations'
        WHEN event_type = 'Strategic developments' THEN 'Strategic developments'
        WHEN event_type IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians') THEN 'Political violence'
        ELSE NULL
    END;

-- 'Civilian targeting' when civilians are the primary target of political violence (never in battles).
CREATE MACRO acled_civilian_targeting(event_type, disorder_type, inter2) AS
    CASE
        WHEN event_type = 'Violence against civilians' THEN 'Civilian targeting'
        WHEN disorder_type LIKE 'Political violence%' AND event_type <> 'Battles' AND inter2 = 'Civilians'
            THEN 'Civilian targeting'
        ELSE NULL
    END;

-- ACLED's time_precision: 1 the day is known, 2 the week (a range of up to seven days), 3 only the month or longer.
-- An undated report is 3 (its event_date is the report's date).
CREATE MACRO acled_time_precision(date_precision, date_start, date_end) AS
    CASE
        WHEN date_start IS NULL THEN 3
        WHEN date_precision = 'day' OR coalesce(date_end, date_start) <= date_start THEN 1
        WHEN date_precision = 'week' OR date_diff('day', date_start, date_end) <= 6 THEN 2
        ELSE 3
    END;

-- ACLED's event_date: the middle of the possible days, as ACLED codes a week or month; the fallback (the report's
-- date) when the text gives no date.
CREATE MACRO acled_event_date(date_start, date_end, fallback) AS
    CASE
        WHEN date_start IS NULL THEN fallback
        ELSE date_start + CAST(greatest(date_diff('day', date_start, coalesce(date_end, date_start)), 0) // 2 AS INTEGER)
    END;

-- ACLED's geo_precision from ours (the same three levels); empty when the event has no place.
CREATE MACRO acled_geo_precision(geo_precision, has_place) AS
    CASE
        WHEN NOT has_place THEN NULL
        WHEN geo_precision IN (1, 2, 3) THEN CAST(geo_precision AS BIGINT)
        ELSE CAST(3 AS BIGINT)
    END;

-- Order of scales in a combined source_scale, as in ACLED's data ('Other-New media', 'Subnational-National').
CREATE MACRO acled_scale_rank(s) AS
    CASE s
        WHEN 'Local partner' THEN 1
        WHEN 'Other' THEN 2
        WHEN 'New media' THEN 3
        WHEN 'Subnational' THEN 4
        WHEN 'National' THEN 5
        WHEN 'Regional' THEN 6
        WHEN 'International' THEN 7
    END;

-- One row per event report, ACLED's 31 columns in ACLED's order.
CREATE VIEW v_acled AS
WITH base AS (
    SELECT e.*, a.source, coalesce(a.published, CAST(a.fetched_at AS DATE)) AS reported, s.scale,
           sd.actor1 AS named_actor1, sd.assoc_actor_1, sd.actor1_type, sd.actor2, sd.assoc_actor_2, sd.actor2_type,
           n.number, n.changed_at,
           coalesce(e.acled_event_type, acled_event_type(e.event_type)) AS acled_type,
           coalesce(e.acled_sub_event_type, acled_sub_event_type(e.event_type)) AS acled_sub
    FROM events AS e
    JOIN articles AS a USING (content_hash)
    LEFT JOIN sources AS s ON s.name = a.source
    LEFT JOIN v_event_sides AS sd USING (event_id)
    LEFT JOIN event_numbers AS n USING (event_id)
), coded AS (
    SELECT *,
           acled_disorder_type(acled_type, acled_sub) AS disorder,
           -- ACLED names an unnamed perpetrator of political violence 'Unidentified Armed Group (<country>)'.
           CASE
               WHEN named_actor1 IS NOT NULL THEN named_actor1
               WHEN acled_type IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians')
                   THEN 'Unidentified Armed Group (Syria)'
           END AS actor1,
           CASE
               WHEN named_actor1 IS NOT NULL THEN acled_inter(actor1_type)
               WHEN acled_type IN ('Battles', 'Explosions/Remote violence', 'Violence against civilians')
                   THEN 'Political militia'
           END AS inter1,
           acled_inter(actor2_type) AS inter2
    FROM base
)
SELECT
    'SYR' || number AS event_id_cnty,
    acled_event_date(date_start, date_end, reported) AS event_date,
    CAST(year(acled_event_date(date_start, date_end, reported)) AS BIGINT) AS year,
    CAST(acled_time_precision(date_precision, date_start, date_end) AS BIGINT) AS time_precision,
    disorder AS disorder_type,
    acled_type AS event_type,
    acled_sub AS sub_event_type,
    actor1,
    assoc_actor_1,
    inter1,
    actor2,
    assoc_actor_2,
    inter2,
    acled_interaction(inter1, inter2, actor2 IS NOT NULL) AS interaction,
    acled_civilian_targeting(acled_type, disorder, inter2) AS civilian_targeting,
    CAST(760 AS BIGINT) AS iso,
    'Middle East' AS region,
    'Syria' AS country,
    admin1,
    admin2,
    admin3,
    location_name AS location,
    lat AS latitude,
    lon AS longitude,
    acled_geo_precision(geo_precision, location_name IS NOT NULL OR lat IS NOT NULL) AS geo_precision,
    source,
    scale AS source_scale,
    evidence AS notes,
    CAST(coalesce(fatalities, 0) AS BIGINT) AS fatalities,
    -- raqib keeps that a toll was vague (عشرات, عدد من) but not its size, so the figure stays 0 and a tag says so.
    CASE WHEN fatalities IS NULL AND fatalities_vague THEN 'fatalities=vague report' END AS tags,
    CAST(epoch(changed_at) AS BIGINT) AS "timestamp"
FROM coded;

-- One row per incident in the same form: the best-supported toll, every outlet joined with '; '.
CREATE VIEW v_acled_incidents AS
WITH reports AS (
    SELECT r.incident_id, n.number, v.*,
           -- the report that speaks for the incident's actors and notes: named sides first, then the oldest
           row_number() OVER (PARTITION BY r.incident_id
                              ORDER BY (v.actor1 IS NULL OR v.actor1 = 'Unidentified Armed Group (Syria)')::INTEGER
                                       + (v.actor2 IS NULL)::INTEGER, n.number) AS pick
    FROM incident_reports AS r
    JOIN event_numbers AS n USING (event_id)
    JOIN v_acled AS v ON v.event_id_cnty = 'SYR' || n.number
), outlets AS (
    SELECT incident_id, string_agg(source, '; ' ORDER BY source) AS source
    FROM (SELECT DISTINCT incident_id, source FROM reports) AS o
    GROUP BY incident_id
), scales AS (
    SELECT incident_id,
           string_agg(scale, '-' ORDER BY acled_scale_rank(scale)) AS source_scale
    FROM (SELECT DISTINCT incident_id, source_scale AS scale FROM reports WHERE source_scale IS NOT NULL) AS s
    GROUP BY incident_id
), grouped AS (
    SELECT incident_id, min(number) AS number, max("timestamp") AS "timestamp",
           bool_or(tags IS NOT NULL) AS vague
    FROM reports
    GROUP BY incident_id
), typed AS (
    SELECT i.*, g.number, g."timestamp", g.vague, o.source, sc.source_scale,
           p.actor1, p.assoc_actor_1, p.inter1, p.actor2, p.assoc_actor_2, p.inter2, p.notes,
           coalesce(i.acled_event_type, acled_event_type(i.event_type)) AS acled_type,
           coalesce(i.acled_sub_event_type, acled_sub_event_type(i.event_type)) AS acled_sub
    FROM incidents AS i
    JOIN grouped AS g USING (incident_id)
    JOIN outlets AS o USING (incident_id)
    LEFT JOIN scales AS sc USING (incident_id)
    JOIN reports AS p ON p.incident_id = i.incident_id AND p.pick = 1
)
SELECT
    'SYR' || number AS event_id_cnty,
    acled_event_date(date_start, date_end, first_reported) AS event_date,
    CAST(year(acled_event_date(date_start, date_end, first_reported)) AS BIGINT) AS year,
    CAST(acled_time_precision(date_precision, date_start, date_end) AS BIGINT) AS time_precision,
    acled_disorder_type(acled_type, acled_sub) AS disorder_type,
    acled_type AS event_type,
    acled_sub AS sub_event_type,
    actor1,
    assoc_actor_1,
    inter1,
    actor2,
    assoc_actor_2,
    inter2,
    acled_interaction(inter1, inter2, actor2 IS NOT NULL) AS interaction,
    acled_civilian_targeting(acled_type, acled_disorder_type(acled_type, acled_sub), inter2) AS civilian_targeting,
    CAST(760 AS BIGINT) AS iso,
    'Middle East' AS region,
    'Syria' AS country,
    admin1,
    admin2,
    admin3,
    location,
    lat AS latitude,
    lon AS longitude,
    acled_geo_precision(geo_precision, location IS NOT NULL OR lat IS NOT NULL) AS geo_precision,
    source,
    source_scale,
    notes,
    CAST(coalesce(fatalities, 0) AS BIGINT) AS fatalities,
    CASE WHEN fatalities IS NULL AND vague THEN 'fatalities=vague report' END AS tags,
    "timestamp"
FROM typed;
