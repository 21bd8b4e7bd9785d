-- Statistical early-warning runs (package forecast, `vigil forecast run`).
-- A run is one strictly out-of-sample fit: a model trained on the rows of a
-- country-year file up to last_train_year and used to score the rows of
-- scored_year (= last_train_year + 2). The file is named with its SHA-256 so
-- that a run says exactly what it was made from; running the same file,
-- model, cross-validation and year again changes nothing. Scores are
-- reference data (public by default) but, like every record, belong to the
-- institution that ran them.
CREATE TABLE forecast_runs (
    id              TEXT PRIMARY KEY,
    institution_id  TEXT NOT NULL REFERENCES institutions(id),
    model           TEXT NOT NULL,
    model_detail    TEXT NOT NULL DEFAULT '',
    data_file       TEXT NOT NULL,
    data_sha256     TEXT NOT NULL,
    cv              TEXT NOT NULL DEFAULT '',
    last_train_year BIGINT NOT NULL,
    scored_year     BIGINT NOT NULL,
    training_rows   BIGINT NOT NULL DEFAULT 0,
    demo            BIGINT NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    unmapped        TEXT NOT NULL DEFAULT '',
    sensitivity     BIGINT NOT NULL DEFAULT 1 CHECK (sensitivity BETWEEN 1 AND 4),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (institution_id, model, data_sha256, cv, last_train_year)
);
CREATE INDEX forecast_runs_year ON forecast_runs(institution_id, scored_year);

-- One country's score in a run. country is the ISO 3166-1 alpha-3 code the
-- country resolver gives for ewp_name, or '' when the name could not be
-- mapped (the run lists those names in unmapped).
CREATE TABLE forecast_scores (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    run_id         TEXT NOT NULL REFERENCES forecast_runs(id),
    ewp_name       TEXT NOT NULL,
    country        TEXT NOT NULL DEFAULT '',
    risk           DOUBLE PRECISION NOT NULL,
    risk_rank      BIGINT NOT NULL,
    UNIQUE (run_id, ewp_name)
);
CREATE INDEX forecast_scores_country ON forecast_scores(institution_id, country, run_id);
CREATE INDEX forecast_scores_run ON forecast_scores(institution_id, run_id, risk_rank);

-- The shift analysis of a score: the risk when one variable alone moves
-- (a 0/1 variable flipped, any other set to the training median).
CREATE TABLE forecast_shifts (
    id             TEXT PRIMARY KEY,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    score_id       TEXT NOT NULL REFERENCES forecast_scores(id),
    position       BIGINT NOT NULL,
    variable       TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    from_value     DOUBLE PRECISION NOT NULL,
    to_value       DOUBLE PRECISION NOT NULL,
    risk           DOUBLE PRECISION NOT NULL,
    delta          DOUBLE PRECISION NOT NULL,
    UNIQUE (score_id, variable)
);
CREATE INDEX forecast_shifts_score ON forecast_shifts(institution_id, score_id, position);
