-- raqib warehouse, migration 007: the tables that grow with every run keep no primary-key index.
-- raqib: file only
--
-- DuckDB holds a table's primary-key index (ART) in memory whole and never evicts it: about 90 MB for
-- 100,000 articles over these tables, growing with the years a warehouse holds, until the writer's memory
-- limit is reached (docs/PERFORMANCE.md, "Issue 14, fourth pass"). The loads already insert only rows whose key
-- is absent (anti-join on the key, warehouse/rows.py insert_rows) or whose ids derive from content stored in the
-- same transaction, as they do on DuckLake, which never had these keys: the line above makes the runner record
-- this file there without running it. Small tables (runs, sources, source_state, actors, locations) keep theirs.
--
-- DuckDB cannot drop a primary key in place: each table is rebuilt with the same columns, key columns NOT NULL.

-- articles
CREATE TABLE articles__rebuilt(content_hash VARCHAR NOT NULL, url VARCHAR NOT NULL, final_url VARCHAR, "source" VARCHAR NOT NULL, title VARCHAR, published DATE, "language" VARCHAR, "text" VARCHAR NOT NULL, fetched_at TIMESTAMP WITH TIME ZONE, archive_path VARCHAR, run_id VARCHAR, extractor_version VARCHAR, events_run_id VARCHAR);
INSERT INTO articles__rebuilt SELECT * FROM articles;
DROP TABLE articles;
ALTER TABLE articles__rebuilt RENAME TO articles;

-- article_urls
CREATE TABLE article_urls__rebuilt(url VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, "source" VARCHAR NOT NULL, first_seen TIMESTAMP WITH TIME ZONE, run_id VARCHAR);
INSERT INTO article_urls__rebuilt SELECT * FROM article_urls;
DROP TABLE article_urls;
ALTER TABLE article_urls__rebuilt RENAME TO article_urls;

-- article_search
CREATE TABLE article_search__rebuilt(content_hash VARCHAR NOT NULL, title_norm VARCHAR, text_norm VARCHAR);
INSERT INTO article_search__rebuilt SELECT * FROM article_search;
DROP TABLE article_search;
ALTER TABLE article_search__rebuilt RENAME TO article_search;

-- search_docs
CREATE TABLE search_docs__rebuilt(content_hash VARCHAR NOT NULL, len INTEGER NOT NULL);
INSERT INTO search_docs__rebuilt SELECT * FROM search_docs;
DROP TABLE search_docs;
ALTER TABLE search_docs__rebuilt RENAME TO search_docs;

-- events
CREATE TABLE events__rebuilt(event_id VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, event_index INTEGER NOT NULL, event_type VARCHAR NOT NULL, acled_event_type VARCHAR, acled_sub_event_type VARCHAR, date_start DATE, date_end DATE, date_precision VARCHAR, date_text VARCHAR, fatalities INTEGER, fatalities_vague BOOLEAN, injured INTEGER, injured_vague BOOLEAN, location_id VARCHAR, location_name VARCHAR, location_name_ar VARCHAR, admin1 VARCHAR, admin2 VARCHAR, admin3 VARCHAR, pcode VARCHAR, lat DOUBLE, lon DOUBLE, geo_precision INTEGER, evidence VARCHAR, span_start INTEGER, span_end INTEGER, confidence DOUBLE, extractor_version VARCHAR, run_id VARCHAR, raw JSON);
INSERT INTO events__rebuilt SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events__rebuilt RENAME TO events;

-- event_actors
CREATE TABLE event_actors__rebuilt(event_id VARCHAR NOT NULL, "position" INTEGER NOT NULL, actor_id VARCHAR NOT NULL, "role" VARCHAR, "name" VARCHAR, name_ar VARCHAR, actor_type VARCHAR, run_id VARCHAR, extractor_version VARCHAR);
INSERT INTO event_actors__rebuilt SELECT * FROM event_actors;
DROP TABLE event_actors;
ALTER TABLE event_actors__rebuilt RENAME TO event_actors;

-- event_numbers
CREATE TABLE event_numbers__rebuilt(event_id VARCHAR NOT NULL, number BIGINT NOT NULL, fingerprint VARCHAR, changed_at TIMESTAMP WITH TIME ZONE NOT NULL);
INSERT INTO event_numbers__rebuilt SELECT * FROM event_numbers;
DROP TABLE event_numbers;
ALTER TABLE event_numbers__rebuilt RENAME TO event_numbers;

-- incident_reports
CREATE TABLE incident_reports__rebuilt(incident_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, "source" VARCHAR, url VARCHAR, published DATE, fatalities INTEGER);
INSERT INTO incident_reports__rebuilt SELECT * FROM incident_reports;
DROP TABLE incident_reports;
ALTER TABLE incident_reports__rebuilt RENAME TO incident_reports;

-- incidents
CREATE TABLE incidents__rebuilt(incident_id VARCHAR NOT NULL, event_type VARCHAR NOT NULL, acled_event_type VARCHAR, acled_sub_event_type VARCHAR, date_start DATE, date_end DATE, date_precision VARCHAR, "location" VARCHAR, location_ar VARCHAR, admin1 VARCHAR, admin2 VARCHAR, admin3 VARCHAR, pcode VARCHAR, lat DOUBLE, lon DOUBLE, geo_precision INTEGER, actors VARCHAR[], actors_ar VARCHAR[], fatalities INTEGER, fatalities_support INTEGER, fatalities_min INTEGER, fatalities_max INTEGER, injured INTEGER, n_reports INTEGER NOT NULL, n_sources INTEGER NOT NULL, sources VARCHAR[], first_reported DATE, last_reported DATE, refreshed_at TIMESTAMP WITH TIME ZONE);
INSERT INTO incidents__rebuilt SELECT * FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents__rebuilt RENAME TO incidents;

-- fetch_log
CREATE TABLE fetch_log__rebuilt(fetch_id VARCHAR NOT NULL, url VARCHAR NOT NULL, "source" VARCHAR NOT NULL, stage VARCHAR NOT NULL, status INTEGER, ok BOOLEAN NOT NULL, reason VARCHAR NOT NULL, bytes BIGINT, duration_ms DOUBLE, fetched_at TIMESTAMP WITH TIME ZONE NOT NULL, run_id VARCHAR);
INSERT INTO fetch_log__rebuilt SELECT * FROM fetch_log;
DROP TABLE fetch_log;
ALTER TABLE fetch_log__rebuilt RENAME TO fetch_log;

