-- data_alerts_inputs: every township-month of $region from the township's first month with births
-- to the extract's last month (0 where nothing was recorded), with what its neighbours make
-- plausible (natality/births/alerts.py): the pooled seasonal factor of its calendar month (mean 1
-- over the year: the median share over the complete township-years), the median of the deseasonalised births of the 13
-- months from 6 before to 6 after it (a median: one typing mistake hardly moves it; leaving the
-- month out by `exclude current row` made DuckDB's windowed median 250x slower), how many other
-- months that window had, and the boys and girls of those other months.
-- Grain: one row per township per month. Params:
-- $region (varchar or null): a county, city or province code; null = the whole extract.
with
bounds as (
    select min(month) as first_month, max(month) as last_month
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
    select township_code, min(month) as first_month
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
    select month_number, median(share) as share
    from year_shares
    group by month_number
),

season as (
    select month_number, 12.0 * share / sum(share) over () as factor
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
    inner join months as m on m.month >= s.first_month
    left join monthly as x on x.township_code = s.township_code and x.month = m.month
    left join season as f on f.month_number = month(m.month)
),

windowed as (
    select
        g.*,
        median(g.births / g.factor) over around as level,
        count(*) over around - 1 as window_months,
        sum(g.boys) over around - g.boys as boys_around,
        sum(g.girls) over around - g.girls as girls_around
    from grid as g
    window around as (
        partition by g.township_code order by g.month
        rows between 6 preceding and 6 following
    )
)

select
    w.township_code,
    coalesce(t.township_name, w.township_code) as township_name,
    coalesce(t.township_name_en, t.township_name, w.township_code) as township_name_en,
    w.month,
    w.births,
    w.boys,
    w.girls,
    w.factor,
    coalesce(w.level, 0)::double as level,
    w.window_months::integer as window_months,
    coalesce(w.boys_around, 0)::bigint as boys_around,
    coalesce(w.girls_around, 0)::bigint as girls_around
from windowed as w
left join townships as t on t.township_code = w.township_code
order by w.township_code, w.month
