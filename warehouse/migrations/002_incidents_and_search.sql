-- raqib warehouse, migration 002: derived tables (incidents, search text) and the Arabic text macros.
-- refresh_incidents() and refresh_search_index() rebuild the derived tables after each load.

CREATE TABLE incidents (
    incident_id           VARCHAR PRIMARY KEY,
    event_type            VARCHAR NOT NULL,
    acled_event_type      VARCHAR,
    acled_sub_event_type  VARCHAR,
    date_start            DATE,
    date_end              DATE,
    date_precision        VARCHAR,
    location              VARCHAR,
    location_ar           VARCHAR,
    admin1                VARCHAR,
    admin2                VARCHAR,
    admin3                VARCHAR,
    pcode                 VARCHAR,
    lat                   DOUBLE,
    lon                   DOUBLE,
    geo_precision         INTEGER,
    actors                VARCHAR[],
    actors_ar             VARCHAR[],
    fatalities            INTEGER,
    fatalities_support    INTEGER,
    fatalities_min        INTEGER,
    fatalities_max        INTEGER,
    injured               INTEGER,
    n_reports             INTEGER NOT NULL,
    n_sources             INTEGER NOT NULL,
    sources               VARCHAR[],
    first_reported        DATE,
    last_reported         DATE,
    refreshed_at          TIMESTAMPTZ
);

CREATE TABLE incident_reports (
    incident_id   VARCHAR NOT NULL,
    event_id      VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL,
    source        VARCHAR,
    url           VARCHAR,
    published     DATE,
    fatalities    INTEGER
);

-- Normalised title and text of each article, the input of the full-text index.
CREATE TABLE article_search (
    content_hash  VARCHAR PRIMARY KEY,
    title_norm    VARCHAR,
    text_norm     VARCHAR
);

-- Fold diacritics, tatweel, hamza/alef forms, alef maqsura and ta marbuta, Arabic-Indic digits.
CREATE MACRO ar_normalise(s) AS
    translate(
        regexp_replace(lower(s), '[\x{0610}-\x{061A}\x{064B}-\x{065F}\x{0670}\x{06D6}-\x{06ED}\x{0640}]', '', 'g'),
        'أإآٱىةؤئ٠١٢٣٤٥٦٧٨٩',
        'اااايهوي0123456789');

-- Light stemming of one normalised word: drop a leading article or conjunction/preposition + article, then
-- one plural or pronoun suffix (or a final ha/ya). Stems keep at least two letters (prefix) or three (suffix).
CREATE MACRO ar_strip_prefix(w) AS
    CASE
        WHEN length(w) >= 5 AND left(w, 3) IN ('وال', 'بال', 'كال', 'فال') THEN substr(w, 4)
        WHEN length(w) >= 4 AND left(w, 2) IN ('ال', 'لل') THEN substr(w, 3)
        ELSE w
    END;

CREATE MACRO ar_strip_suffix(w) AS
    CASE
        WHEN length(w) >= 5 AND right(w, 2) IN ('ات', 'ون', 'ين', 'ان', 'ها', 'هم', 'يه') THEN left(w, length(w) - 2)
        WHEN length(w) >= 4 AND right(w, 1) IN ('ه', 'ي') THEN left(w, length(w) - 1)
        ELSE w
    END;

CREATE MACRO ar_light_stem(w) AS ar_strip_suffix(ar_strip_prefix(w));

-- The searchable form of any text: normalised, split into words (letters and digits), each lightly stemmed.
CREATE MACRO ar_search_text(s) AS
    array_to_string(
        list_transform(
            list_filter(regexp_split_to_array(ar_normalise(coalesce(s, '')), '[^\p{L}\p{N}]+'), w -> w <> ''),
            w -> ar_light_stem(w)),
        ' ');
