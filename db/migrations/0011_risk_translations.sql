-- Translations of the framework wording (package risk).
--
-- risk_indicators.translations (0003) and risk_factors.translations hold a
-- JSON object by language: {"fr": {"text": "...", "checked_by": "...",
-- "checked_at": "..."}}. A translation without checked_at has not been
-- checked by anyone; pages and reports say so.
--
-- Assessments copy the translations with the wording when they are opened
-- (risk_ratings.factor_translations, risk_ratings.wording_translations), so
-- that a later change of the framework never rewrites a past assessment.
ALTER TABLE risk_factors ADD COLUMN translations TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_ratings ADD COLUMN factor_translations TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_ratings ADD COLUMN wording_translations TEXT NOT NULL DEFAULT '';
