-- srb_township_by_year: one row per calendar year for one township; every year with births
-- anywhere in the county has a row (zero counts where the township had none).
-- params: $township_code (str, 12 digits)
-- srb = 100 * boys / girls; srb_low, srb_high = Wilson 95 % interval (z = 1.959964) for
-- p = boys / births, mapped through 100 p / (1 - p). Null where undefined (no girls, no births).
-- Must agree with natality.srb.srb_estimate (tests/test_srb_queries.py checks it).
with

constants as (
    select 1.959964::double as z
),

years as (
    select distinct year(month)::integer as year from births
),

counts as (
    select
        y.year,
        coalesce(sum(b.births) filter (where b.sex = 'M'), 0)::bigint as boys,
        coalesce(sum(b.births) filter (where b.sex = 'F'), 0)::bigint as girls
    from years as y
    left join births as b
        on year(b.month) = y.year and b.township_code = $township_code::varchar
    group by y.year
),

wilson as (
    select
        counts.*,
        (boys + girls)::bigint as births,
        boys / nullif(boys + girls, 0) as p,
        z * z / nullif(boys + girls, 0) as z2n,
        z
    from counts, constants
),

limits as (
    select
        *,
        case
            when boys = 0 then 0.0
            else (p + z2n / 2) / (1 + z2n)
                - z / (1 + z2n) * sqrt(p * (1 - p) / births + z2n / (4 * births))
        end as p_low,
        case
            when girls = 0 then null
            else (p + z2n / 2) / (1 + z2n)
                + z / (1 + z2n) * sqrt(p * (1 - p) / births + z2n / (4 * births))
        end as p_high
    from wilson
)

select
    year,

    births,
    boys,
    girls,
    100.0 * boys / nullif(girls, 0) as srb,
    case when births > 0 then 100.0 * p_low / (1 - p_low) end as srb_low,
    100.0 * p_high / (1 - p_high) as srb_high
from limits
order by year
