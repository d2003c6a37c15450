-- county_period_summary: region totals for months 1..$month_to of $year and of the year before (same period).
-- Grain: one row per year (the selected year and the previous one, when they have births).
-- Params: $year (integer), $month_to (integer 1-12), $region (varchar or null: a county, city or province code; null =
--   the whole extract).
-- Notes: columns: births_year_totals() of queries/macros/births.sql (is_partial left out: a period). The birth rate is
--   annualised over the months of the period, per 1,000 mean population.
select * exclude (is_partial)
from births_year_totals(null, $region::varchar, $month_to::integer)
where year in ($year, $year - 1)
order by year
