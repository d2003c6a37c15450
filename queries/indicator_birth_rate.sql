-- indicator_birth_rate: births and mean population of every township-year, for the birth-rate indicator.
-- Grain: one row per township per year with births.
-- Params: none.
-- Notes: numerator = births, denominator = population (per mille = numerator / denominator x 1000). Years without
--   population keep a null denominator (not judged).
select
    township_code,
    year,
    births::double as numerator,
    population::double as denominator
from township_year_births()
order by township_code, year
