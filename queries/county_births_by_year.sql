-- county_births_by_year: births, sex, third-and-higher births, population and crude birth rate by year, for the region
--   or one township.
-- Grain: one row per year with births.
-- Params: $township_code (varchar or null: null = the whole region), $region (varchar or null: a county, city or
--   province code; null = the whole extract).
-- Notes: columns: births_year_totals() of queries/macros/births.sql. The birth rate of a partial year is annualised
--   (births x 12 / months) so that it compares with full years; `months` says how many months.
select *
from births_year_totals($township_code::varchar, $region::varchar, null)
order by year
