-- data_alerts_inputs: every township-month of $region from the township's first month with births
-- to the extract's last month (0 where nothing was recorded), with the pooled seasonal factor of
-- its calendar month (mean 1 over the year: the median share over the complete township-years).
-- natality/births/alerts.py adds what the neighbouring months make plausible (a rolling median
-- in polars: DuckDB's windowed median and sums took seconds at 2,000 townships).
-- Grain: one row per township per month, ordered by township and month. Params:
-- $region (varchar or null): a county, city or province code; null = the whole extract.
with
bounds as (
    select
        min(month) as first_month,
        max(month) as last_month
    from births_monthly
),

monthly as (
    select
        township_code,
        month,
        sum(births)::bigint as births,
        boys_sum(births, sex) as boys,
        girls_sum(births, sex) as girls
    from region_births(null, $region::varchar)
    group by township_code, month
),

starts as (
    select
        township_code,
        min(month) as first_month
    from monthly
    group by township_code
),

months as (
    select unnest(generate_series(b.first_month, b.last_month, interval 1 month))::date as month
    from bounds as b
),

complete_years as (
    select year(month) as year
    from births_monthly
    group by year(month)
    having count(distinct month(month)) = 12
),

-- each calendar month's share of its township-year, the median over township-years (a typed
-- 214 in one township-year does not move it), rescaled to a mean of 1 over the year
year_shares as (
    select
        month(m.month)::integer as month_number,
        m.births / sum(m.births) over (partition by m.township_code, year(m.month)) as share
    from monthly as m
    where year(m.month) in (select c.year from complete_years as c)
),

median_shares as (
    select
        month_number,
        median(share) as share
    from year_shares
    group by month_number
),

season as (
    select
        month_number,
        12.0 * share / sum(share) over () as factor
    from median_shares
),

grid as (
    select
        s.township_code,
        m.month,
        coalesce(x.births, 0)::bigint as births,
        coalesce(x.boys, 0)::bigint as boys,
        coalesce(x.girls, 0)::bigint as girls,
        coalesce(f.factor, 1.0) as factor
    from starts as s
    inner join months as m on s.first_month <= m.month
    left join monthly as x on s.township_code = x.township_code and m.month = x.month
    left join season as f on f.month_number = month(m.month)
)

select
    g.township_code,
    coalesce(t.township_name, g.township_code) as township_name,
    coalesce(t.township_name_en, t.township_name, g.township_code) as township_name_en,
    g.month,
    g.births,
    g.boys,
    g.girls,
    g.factor
from grid as g
left join townships as t on g.township_code = t.township_code
order by g.township_code, g.month
