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

-- Light stemming of space-separated normalised words, done with whole-string regular expressions (fast on
-- long texts): drop a leading article or conjunction/preposition + article, then a plural or pronoun
-- suffix, then a final ha/ya; every stem keeps at least two (prefix) or three (suffix) letters.
CREATE MACRO ar_stem_words(s) AS
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(s, '(^| )(وال|بال|كال|فال|ال|لل)(\p{L}{2,})', '\1\3', 'g'),
                '(\p{L}{3,})(ات|ون|ين|ان|ها|هم|يه)( |$)', '\1\3', 'g'),
            '(\p{L}{3,})[هي]( |$)', '\1\2', 'g'),
        ' +', ' ', 'g');

CREATE MACRO ar_light_stem(w) AS ar_stem_words(ar_normalise(w));

-- The searchable form of any text: normalised, split into words (letters and digits), each lightly stemmed.
CREATE MACRO ar_search_text(s) AS
    ar_stem_words(trim(regexp_replace(ar_normalise(coalesce(s, '')), '[^\p{L}\p{N}]+', ' ', 'g')));
