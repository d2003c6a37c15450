-- births_projection_inputs: the counts behind the year-end projection of $year cut at month
-- $month_to (natality/births/projection.py): births to date, and over the complete years among
-- the 3 before $year, the births of months 1..$month_to ("done") and of the months after ("rest"),
-- with the Pearson chi-square of those years' monthly counts against each township-year's total
-- spread by the pooled seasonal shares (for the over-dispersion phi), and the births target.
-- Grain: one row per township of $region (every township; 0 where it had no births).
-- Params: $year (int), $month_to (int 1-12),
-- $region (varchar or null): a county, city or province code; null = the whole extract.
with
towns as (
    select
        township_code,
        township_name,
        township_name_en
    from region_townships($region::varchar)
),

-- complete years (all 12 months present in the extract) among the 3 before $year
history_years as (
    select year(month)::integer as year
    from births_monthly
    where year(month) between $year - 3 and $year - 1
    group by year(month)
    having count(distinct month(month)) = 12
),

monthly as (
    select
        township_code,
        year(month)::integer as year,
        month(month)::integer as month_number,
        sum(births)::bigint as births
    from region_births(null, $region::varchar)
    where year(month) between $year - 3 and $year
    group by all
),

grid as (
    select
        t.township_code,
        h.year,
        m.month_number,
        coalesce(x.births, 0)::bigint as births
    from towns as t
    cross join history_years as h
    cross join (select unnest(range(1, 13))::integer as month_number) as m
    left join monthly as x
        on t.township_code = x.township_code and h.year = x.year and m.month_number = x.month_number
),

-- township-years with births (a township formed later has no history before it)
township_years as (
    select
        township_code,
        year,
        sum(births)::bigint as total
    from grid
    group by township_code, year
    having sum(births) > 0
),

shares as (
    select
        g.month_number,
        sum(g.births)::double / sum(sum(g.births)) over () as share
    from grid as g
    inner join township_years as ty on g.township_code = ty.township_code and g.year = ty.year
    group by g.month_number
),

history as (
    select
        g.township_code,
        count(distinct g.year)::integer as history_years,
        sum(g.births) filter (where g.month_number <= $month_to)::bigint as births_done,
        sum(g.births) filter (where g.month_number > $month_to)::bigint as births_rest,
        sum(power(g.births - ty.total * s.share, 2) / (ty.total * s.share)) as pearson_x2,
        count(*)::bigint as pearson_cells
    from grid as g
    inner join township_years as ty on g.township_code = ty.township_code and g.year = ty.year
    inner join shares as s on g.month_number = s.month_number
    where s.share > 0
    group by g.township_code
),

this_year as (
    select
        township_code,
        sum(births)::bigint as births_to_date
    from monthly
    where year = $year and month_number <= $month_to
    group by township_code
),

year_targets as (
    select
        township_code,
        max(target)::double as target
    from targets
    where year = $year and indicator = 'births'
    group by township_code
),

year_population as (
    select
        township_code,
        sum(population)::bigint as population
    from population
    where year = $year
    group by township_code
)

select
    t.township_code,
    t.township_name,
    t.township_name_en,
    coalesce(b.births_to_date, 0)::bigint as births_to_date,
    $month_to::integer as months,
    coalesce(h.history_years, 0)::integer as history_years,
    coalesce(h.births_done, 0)::bigint as births_done,
    coalesce(h.births_rest, 0)::bigint as births_rest,
    coalesce(h.pearson_x2, 0)::double as pearson_x2,
    coalesce(h.pearson_cells, 0)::bigint as pearson_cells,
    g.target,
    p.population
from towns as t
left join this_year as b on t.township_code = b.township_code
left join history as h on t.township_code = h.township_code
left join year_targets as g on t.township_code = g.township_code
left join year_population as p on t.township_code = p.township_code
order by t.township_code
