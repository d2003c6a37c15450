-- crosswalk: the births, population and reported views on today's townships, through the crosswalk (one row per old
--   township and the new township it went to: old_code, new_code, from_year, share, old_name).
-- Grain: the same columns as the files: one row per row of an unchanged township, and per old row and new township for
--   a changed one.
-- Params: none (views).
-- Notes: created by natality/core/db.py, in place of the plain views, on a connection whose version has
--   crosswalk.parquet; the files are read as births_file, population_file and reported_file. Counts are split by share
--   with the largest-remainder rule cell by cell (a cell: one old township, month, sex, order, age band and policy
--   flag; or one township-year of population): each new township gets floor(n * share), and the n - sum(floor) left
--   over go one each to the largest fractional parts, ties broken by a hash of the cell so that no township is favoured
--   month after month. Every cell keeps its total, so every sum over townships is kept exactly. A merge (share 1) is a
--   plain relabelling.

-- largest_remainder(cells): the rows of cells (one per cell and new township: new_code, the cell's count n, the
--   new township's share, cell: the cell's key, tie: a hash that breaks ties of the fractional part), each with its
--   part of n: whole = floor(n * share), and one more for the n - sum(whole) largest fractional parts of the cell.
create or replace macro largest_remainder(cells) as table
    with
    split as (
        select
            *,
            n * share as exact,
            floor(round(n * share, 9))::bigint as whole
        from query_table(cells)
    ),

    ranked as (
        select
            *,
            row_number() over (partition by cell order by exact - whole desc, tie) as place,
            n - sum(whole) over (partition by cell) as left_over
        from split
    )

    select
        *,
        (whole + (place <= left_over)::bigint)::bigint as part
    from ranked;

-- The split rows are made once per connection (births_split): queries that read births directly
-- (mother's age, policy) then pay only for relabelling, not for splitting again.
create table births_split as
with changed as (
    select
        township_code,
        month,
        sex,
        birth_order,
        mother_age_band,
        policy_compliant,
        sum(births)::bigint as births
    from births_file
    where
        township_code in (
            select old_code from crosswalk
            where share < 1
        )
    group by all
),

-- cells is read by largest_remainder, through query_table (unseen by the linter)
cells as (  -- noqa: ST03
    select
        crosswalk.new_code,
        changed.*,
        changed.births as n,
        crosswalk.share,
        (
            changed.township_code,
            changed.month,
            changed.sex,
            changed.birth_order,
            changed.mother_age_band,
            changed.policy_compliant
        ) as cell,
        hash(crosswalk.new_code, changed.month, changed.sex, changed.birth_order) as tie
    from changed
    inner join crosswalk on changed.township_code = crosswalk.old_code
)

select
    new_code as township_code,
    month,
    sex,
    birth_order,
    mother_age_band,
    policy_compliant,
    part as births
from largest_remainder(cells)
where part > 0;

-- a whole township (share 1: a merger or a new code) is relabelled row by row
create view births as
with renamed as (
    select
        old_code,
        new_code
    from crosswalk
    where share = 1
)

select
    coalesce(renamed.new_code, births_file.township_code) as township_code,
    births_file.month,
    births_file.sex,
    births_file.birth_order,
    births_file.mother_age_band,
    births_file.policy_compliant,
    births_file.births
from births_file
left join renamed on births_file.township_code = renamed.old_code
where
    births_file.township_code not in (
        select old_code from crosswalk
        where share < 1
    )
union all
select * from births_split;

create view population as
-- cells is read by largest_remainder, through query_table (unseen by the linter)
with cells as (  -- noqa: ST03
    select
        crosswalk.new_code,
        population_file.year,
        population_file.population as n,
        crosswalk.share,
        (population_file.township_code, population_file.year) as cell,
        hash(crosswalk.new_code, population_file.year) as tie
    from population_file
    inner join crosswalk on population_file.township_code = crosswalk.old_code
),

moved as (
    select
        new_code as township_code,
        year,
        part as population
    from largest_remainder(cells)
),

kept as (
    select
        township_code,
        year,
        population::bigint as population
    from population_file
    where township_code not in (select old_code from crosswalk)
),

combined as (
    select * from kept
    union all
    select * from moved
)

select
    township_code,
    year,
    sum(population)::bigint as population
from combined
group by township_code, year;

create view reported as
with moved as (
    select
        township_code,
        year,
        indicator,
        numerator,
        denominator
    from reported_file
    where township_code not in (select old_code from crosswalk)
    union all
    select
        crosswalk.new_code,
        reported_file.year,
        reported_file.indicator,
        reported_file.numerator * crosswalk.share,
        reported_file.denominator * crosswalk.share
    from reported_file
    inner join crosswalk on reported_file.township_code = crosswalk.old_code
)

select
    township_code,
    year,
    indicator,
    sum(numerator)::double as numerator,
    sum(denominator)::double as denominator
from moved
group by township_code, year, indicator;
