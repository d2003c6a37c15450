-- srb_by_township: one row per township, births pooled over the years $year_from..$year_to
-- (inclusive). Townships without births in the window keep a row with zero counts.
-- township_name / township_name_en come from the view: a repeated name carries its parent.
-- params: $year_from, $year_to (int)
-- srb = 100 * boys / girls; srb_low, srb_high = Wilson 95 % interval (z = 1.959964) for
-- p = boys / births, mapped through 100 p / (1 - p). Null where undefined (no girls, no births).
-- Must agree with natality.srb.srb_estimate (tests/test_srb_queries.py checks it).
with

constants as (
    select 1.959964::double as z
),

window_births as (
    select
        township_code,
        sum(births) filter (where sex = 'M')::bigint as boys,
        sum(births) filter (where sex = 'F')::bigint as girls
    from births
    where year(month) between $year_from and $year_to
    group by township_code
),

counts as (
    select
        t.township_code,
        t.township_name,
        t.township_name_en,
        t.parent_code,
        coalesce(w.boys, 0)::bigint as boys,
        coalesce(w.girls, 0)::bigint as girls
    from townships as t
    left join window_births as w on w.township_code = t.township_code
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
    township_code,
    township_name,
    township_name_en,
    parent_code,
    births,
    boys,
    girls,
    100.0 * boys / nullif(girls, 0) as srb,
    case when births > 0 then 100.0 * p_low / (1 - p_low) end as srb_low,
    100.0 * p_high / (1 - p_high) as srb_high
from limits
order by township_code
