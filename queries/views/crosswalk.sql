-- The births, population and reported views on today's townships, through the crosswalk
-- (crosswalk: one row per old township and the new township it went to: old_code, new_code,
-- from_year, share, old_name). Created by core/db.py, in place of the plain views, on a
-- connection whose version has crosswalk.parquet; the files are read as births_file,
-- population_file and reported_file. Output: the same columns as the files, one row per row
-- of an unchanged township, and per old row and new township for a changed one.
--
-- Counts are split by share with the largest-remainder rule cell by cell (a cell: one old
-- township, month, sex, order, age band and policy flag; or one township-year of population):
-- each new township gets floor(n * share), and the n - sum(floor) left over go one each to the
-- largest fractional parts, ties broken by a hash of the cell so that no township is favoured
-- month after month. Every cell keeps its total, so every sum over townships is kept exactly.
-- A merge (share 1) is a plain relabelling.

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

split as (
    select
        c.new_code,
        x.*,
        x.births * c.share as exact,
        floor(round(x.births * c.share, 9))::bigint as whole
    from changed as x
    inner join crosswalk as c on x.township_code = c.old_code
),

ranked as (
    select
        *,
        row_number() over (
            partition by township_code, month, sex, birth_order, mother_age_band, policy_compliant
            order by exact - whole desc, hash(new_code, month, sex, birth_order)
        ) as place,
        births - sum(whole) over (
            partition by township_code, month, sex, birth_order, mother_age_band, policy_compliant
        ) as left_over
    from split
)

select
    new_code as township_code,
    month,
    sex,
    birth_order,
    mother_age_band,
    policy_compliant,
    (whole + (place <= left_over)::bigint)::bigint as births
from ranked
where whole + (place <= left_over)::bigint > 0;

-- a whole township (share 1: a merger or a new code) is relabelled row by row
create view births as
with m as (
    select
        old_code,
        new_code
    from crosswalk
    where share = 1
)

select
    coalesce(m.new_code, b.township_code) as township_code,
    b.month,
    b.sex,
    b.birth_order,
    b.mother_age_band,
    b.policy_compliant,
    b.births
from births_file as b
left join m on b.township_code = m.old_code
where
    b.township_code not in (
        select old_code from crosswalk
        where share < 1
    )
union all
select * from births_split;

create view population as
with split as (
    select
        c.new_code,
        p.township_code,
        p.year,
        p.population,
        p.population * c.share as exact,
        floor(round(p.population * c.share, 9))::bigint as whole
    from population_file as p
    inner join crosswalk as c on p.township_code = c.old_code
),

ranked as (
    select
        *,
        row_number() over (
            partition by township_code, year order by exact - whole desc, hash(new_code, year)
        ) as place,
        population - sum(whole) over (partition by township_code, year) as left_over
    from split
),

moved as (
    select
        new_code as township_code,
        year,
        (whole + (place <= left_over)::bigint)::bigint as population
    from ranked
),

kept as (
    select
        township_code,
        year,
        population::bigint as population
    from population_file
    where township_code not in (select old_code from crosswalk)
),

prep_1 as (select * from kept
union all
select * from moved
)

select
    township_code,
    year,
    sum(population)::bigint as population
from prep_1
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
        c.new_code,
        r.year,
        r.indicator,
        r.numerator * c.share,
        r.denominator * c.share
    from reported_file as r
    inner join crosswalk as c on r.township_code = c.old_code
)

select
    township_code,
    year,
    indicator,
    sum(numerator)::double as numerator,
    sum(denominator)::double as denominator
from moved
group by township_code, year, indicator;
