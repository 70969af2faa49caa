-- raqib warehouse, migration 005: a full-text index that grows with each load instead of being rebuilt.
-- DuckDB's fts index (PRAGMA create_fts_index) can only be rebuilt over every article, which made each run's
-- cost grow with the warehouse. The same BM25 index is kept here as two plain tables that each load appends
-- to; the statistics BM25 needs (document count, mean length, document frequency) are taken at query time,
-- so the scores are those of a fresh rebuild. The fts extension still provides the Arabic stemmer, stem().

DROP SCHEMA IF EXISTS fts_main_article_search CASCADE;

-- One row per indexed article: how many words it has (title and text together).
CREATE TABLE search_docs (
    content_hash  VARCHAR PRIMARY KEY,
    len           INTEGER NOT NULL
);

-- One row per (word, article): how often the stemmed word occurs in the article.
CREATE TABLE search_terms (
    term          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    tf            INTEGER NOT NULL
);

-- The words of a search text, as the fts index split them: letters and digits, lower case, Snowball-stemmed.
CREATE MACRO search_words(s) AS
    list_transform(
        list_filter(string_split_regex(regexp_replace(lower(CAST(s AS VARCHAR)), '(\.|[^\p{L}\p{N}])+', ' ', 'g'),
                                       '\s+'), w -> w <> ''),
        w -> stem(w, 'arabic'));

-- BM25 (k = 1.2, b = 0.75, the fts defaults) over the articles holding every word of q (conjunctive) or any.
CREATE MACRO search_bm25(q, conjunctive) AS TABLE
    WITH tokens AS (
        SELECT DISTINCT stem(unnest(string_split_regex(regexp_replace(lower(ar_search_text(q)),
                                                                      '(\.|[^\p{L}\p{N}])+', ' ', 'g'), '\s+')),
                             'arabic') AS term),
    stats AS (SELECT count(*) AS num_docs, avg(len) AS avgdl FROM search_docs),
    hits AS (SELECT term, content_hash, tf FROM search_terms WHERE term IN (SELECT term FROM tokens)),
    df AS (SELECT term, count(*) AS df FROM hits GROUP BY term),
    matched AS (SELECT content_hash, count(DISTINCT term) AS n FROM hits GROUP BY content_hash),
    chosen AS (SELECT content_hash FROM matched WHERE NOT conjunctive OR n = (SELECT count(*) FROM tokens)),
    scores AS (
        SELECT h.content_hash,
               sum(log((stats.num_docs - df.df + 0.5) / (df.df + 0.5) + 1)
                   * ((h.tf * 2.2) / (h.tf + 1.2 * (0.25 + 0.75 * (d.len / stats.avgdl))))) AS score
        FROM hits AS h
        JOIN chosen USING (content_hash)
        JOIN df USING (term)
        JOIN search_docs AS d USING (content_hash)
        CROSS JOIN stats
        GROUP BY h.content_hash)
    SELECT a.content_hash, a.source, a.url, a.title, a.published, s.score
    FROM scores AS s
    JOIN articles AS a USING (content_hash)
    ORDER BY s.score DESC, a.content_hash;

CREATE OR REPLACE MACRO search(q) AS TABLE SELECT * FROM search_bm25(q, true);
CREATE OR REPLACE MACRO search_any(q) AS TABLE SELECT * FROM search_bm25(q, false);

-- Existing warehouses: index what article_search already holds.
INSERT INTO search_docs
SELECT content_hash, len(search_words(coalesce(title_norm, '') || ' ' || coalesce(text_norm, '')))
FROM article_search;

INSERT INTO search_terms
SELECT term, content_hash, count(*)::INTEGER
FROM (SELECT content_hash, unnest(search_words(coalesce(title_norm, '') || ' ' || coalesce(text_norm, ''))) AS term
      FROM article_search)
GROUP BY ALL;
