-- indicator_share_order3p: third-and-higher births among the births of known order, for the share indicator.
-- Grain: one row per township per year.
-- Params: none.
-- Notes: numerator = births of order >= 3, denominator = births with a known order.
select
    township_code,
    year(month)::integer as year,
    coalesce(sum(births) filter (where birth_order >= 3), 0)::double as numerator,
    coalesce(sum(births) filter (where birth_order is not null), 0)::double as denominator
from births_core
group by all
order by township_code, year
