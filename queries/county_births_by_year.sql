-- County births, sex, third-and-higher births, population and crude birth rate by year.
-- Grain: one row per year with births. The birth rate of a partial year is annualised
-- (births x 12 / months) so that it compares with full years; `months` says how many months.
-- Params: $township_code (varchar or null: null = the whole county).
-- Columns: births_year_totals() of queries/macros/births.sql.
-- $region (varchar or null): a county, city or province code; null = the whole extract.
select *
from births_year_totals($township_code::varchar, $region::varchar, null)
order by year
