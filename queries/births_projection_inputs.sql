-- births_projection_inputs: the counts behind the year-end projection of $year cut at month $month_to
--   (natality/births/projection.py).
-- Grain: one row per township of $region (every township; 0 where it had no births).
-- Params: $year (integer), $month_to (integer 1-12), $region (varchar or null: a county, city or province code; null =
--   the whole extract).
-- Notes: births to date, and over the complete years among the 3 before $year, the births of months 1..$month_to
--   ("done") and of the months after ("rest"), with the Pearson chi-square of those years' monthly counts against each
--   township-year's total spread by the pooled seasonal shares (for the over-dispersion phi), and the births target.
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

months_of_year as (
    select unnest(range(1, 13))::integer as month_number
),

grid as (
    select
        towns.township_code,
        history_years.year,
        months_of_year.month_number,
        coalesce(monthly.births, 0)::bigint as births
    from towns
    cross join history_years
    cross join months_of_year
    left join monthly
        on
            towns.township_code = monthly.township_code
            and history_years.year = monthly.year
            and months_of_year.month_number = monthly.month_number
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
        grid.month_number,
        sum(grid.births)::double / sum(sum(grid.births)) over () as share
    from grid
    inner join township_years as ty on grid.township_code = ty.township_code and grid.year = ty.year
    group by grid.month_number
),

history as (
    select
        grid.township_code,
        count(distinct grid.year)::integer as history_years,
        sum(grid.births) filter (where grid.month_number <= $month_to)::bigint as births_done,
        sum(grid.births) filter (where grid.month_number > $month_to)::bigint as births_rest,
        sum(power(grid.births - ty.total * shares.share, 2) / (ty.total * shares.share)) as pearson_x2,
        count(*)::bigint as pearson_cells
    from grid
    inner join township_years as ty on grid.township_code = ty.township_code and grid.year = ty.year
    inner join shares on grid.month_number = shares.month_number
    where shares.share > 0
    group by grid.township_code
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
    towns.township_code,
    towns.township_name,
    towns.township_name_en,
    coalesce(this_year.births_to_date, 0)::bigint as births_to_date,
    $month_to::integer as months,
    coalesce(history.history_years, 0)::integer as history_years,
    coalesce(history.births_done, 0)::bigint as births_done,
    coalesce(history.births_rest, 0)::bigint as births_rest,
    coalesce(history.pearson_x2, 0)::double as pearson_x2,
    coalesce(history.pearson_cells, 0)::bigint as pearson_cells,
    year_targets.target,
    year_population.population
from towns
left join this_year on towns.township_code = this_year.township_code
left join history on towns.township_code = history.township_code
left join year_targets on towns.township_code = year_targets.township_code
left join year_population on towns.township_code = year_population.township_code
order by towns.township_code
