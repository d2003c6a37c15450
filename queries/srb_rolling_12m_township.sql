-- srb_rolling_12m_township: one row per month for one township, counts summed over the
-- 12 months ending with that month; only months with 12 months of data behind them.
-- params: $township_code (str). Monthly SRB itself is never shown: monthly counts are tiny.
-- srb = 100 * boys / girls; srb_low, srb_high = Wilson 95 % interval (z = 1.959964) for
-- p = boys / births, mapped through 100 p / (1 - p). Null where undefined (no girls, no births).
-- Must agree with natality.srb.srb_estimate (tests/test_srb_queries.py checks it).
with

constants as (
    select 1.959964::double as z
),

months as (
    select unnest(generate_series(min(month), max(month), interval 1 month))::date as month
    from births
),

monthly as (
    select
        m.month,
        coalesce(sum(b.births) filter (where b.sex = 'M'), 0)::bigint as boys,
        coalesce(sum(b.births) filter (where b.sex = 'F'), 0)::bigint as girls
    from months as m
    left join births as b
        on b.month = m.month and b.township_code = $township_code::varchar
    group by m.month
),

rolling as (
    select
        month,
        sum(boys) over last_12 as boys,
        sum(girls) over last_12 as girls,
        count(*) over last_12 as n_months
    from monthly
    window last_12 as (order by month rows between 11 preceding and current row)
),

counts as (
    select month, boys::bigint as boys, girls::bigint as girls
    from rolling
    where n_months = 12
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
    month,

    births,
    boys,
    girls,
    100.0 * boys / nullif(girls, 0) as srb,
    case when births > 0 then 100.0 * p_low / (1 - p_low) end as srb_low,
    100.0 * p_high / (1 - p_high) as srb_high
from limits
order by month
