-- raqib warehouse, migration 001: the stored facts (runs, fetches, articles, events, actors, places).
-- Every row names the run that wrote it; event rows also name the extractor version.
-- Timestamps are TIMESTAMPTZ (UTC instants). Ids are 16 hex characters of SHA-256.

CREATE TABLE sources (
    name        VARCHAR PRIMARY KEY,
    kind        VARCHAR,
    url         VARCHAR,
    language    VARCHAR,
    enabled     BOOLEAN,
    first_seen  TIMESTAMPTZ,
    last_seen   TIMESTAMPTZ,
    run_id      VARCHAR
);

CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    flow_run_id   VARCHAR,
    started_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,
    status        VARCHAR NOT NULL,
    sources_file  VARCHAR,
    sources       INTEGER,
    discovered    INTEGER,
    fetched       INTEGER,
    articles_new  INTEGER,
    duplicates    INTEGER,
    events        INTEGER,
    failures      INTEGER,
    counts        JSON
);

CREATE TABLE fetch_log (
    fetch_id     VARCHAR PRIMARY KEY,
    url          VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    stage        VARCHAR NOT NULL,
    status       INTEGER,
    ok           BOOLEAN NOT NULL,
    reason       VARCHAR NOT NULL,
    bytes        BIGINT,
    duration_ms  DOUBLE,
    fetched_at   TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR
);

CREATE TABLE articles (
    content_hash       VARCHAR PRIMARY KEY,
    url                VARCHAR NOT NULL,
    final_url          VARCHAR,
    source             VARCHAR NOT NULL,
    title              VARCHAR,
    published          DATE,
    language           VARCHAR,
    text               VARCHAR NOT NULL,
    fetched_at         TIMESTAMPTZ,
    archive_path       VARCHAR,
    run_id             VARCHAR,
    extractor_version  VARCHAR,
    events_run_id      VARCHAR
);

CREATE TABLE article_urls (
    url           VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    first_seen    TIMESTAMPTZ,
    run_id        VARCHAR
);

CREATE TABLE source_state (
    source      VARCHAR PRIMARY KEY,
    state       JSON NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR
);

CREATE TABLE actors (
    actor_id           VARCHAR PRIMARY KEY,
    name               VARCHAR,
    name_ar            VARCHAR,
    acled_actor_type   VARCHAR,
    run_id             VARCHAR,
    extractor_version  VARCHAR
);

CREATE TABLE locations (
    location_id        VARCHAR PRIMARY KEY,
    name               VARCHAR,
    name_ar            VARCHAR,
    admin1             VARCHAR,
    admin2             VARCHAR,
    admin3             VARCHAR,
    pcode              VARCHAR,
    lat                DOUBLE,
    lon                DOUBLE,
    kind               VARCHAR,
    run_id             VARCHAR,
    extractor_version  VARCHAR
);

CREATE TABLE events (
    event_id              VARCHAR PRIMARY KEY,
    content_hash          VARCHAR NOT NULL,
    event_index           INTEGER NOT NULL,
    event_type            VARCHAR NOT NULL,
    acled_event_type      VARCHAR,
    acled_sub_event_type  VARCHAR,
    date_start            DATE,
    date_end              DATE,
    date_precision        VARCHAR,
    date_text             VARCHAR,
    fatalities            INTEGER,
    fatalities_vague      BOOLEAN,
    injured               INTEGER,
    injured_vague         BOOLEAN,
    location_id           VARCHAR,
    location_name         VARCHAR,
    location_name_ar      VARCHAR,
    admin1                VARCHAR,
    admin2                VARCHAR,
    admin3                VARCHAR,
    pcode                 VARCHAR,
    lat                   DOUBLE,
    lon                   DOUBLE,
    geo_precision         INTEGER,
    evidence              VARCHAR,
    span_start            INTEGER,
    span_end              INTEGER,
    confidence            DOUBLE,
    extractor_version     VARCHAR,
    run_id                VARCHAR,
    raw                   JSON
);

CREATE TABLE event_actors (
    event_id           VARCHAR NOT NULL,
    position           INTEGER NOT NULL,
    actor_id           VARCHAR NOT NULL,
    role               VARCHAR,
    name               VARCHAR,
    name_ar            VARCHAR,
    actor_type         VARCHAR,
    run_id             VARCHAR,
    extractor_version  VARCHAR,
    PRIMARY KEY (event_id, position)
);
