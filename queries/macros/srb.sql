-- srb: SRB macros (srb, srb_wilson_low / _high, srb_columns), created once per DuckDB connection (natality/core/db.py)
--   and used by queries/srb_*.sql.
-- Grain: per macro: one value (srb_columns: a struct).
-- Params: boys, girls (counts).
-- Notes: srb = 100 * boys / girls; srb_wilson_low / _high = the Wilson 95 % interval (z = 1.959964) for p = boys /
--   births, mapped through 100 p / (1 - p). Null where undefined (no girls, no births): the upper limit with no girls
--   would be infinite. Must agree with natality.srb.srb_estimate (tests/test_srb_queries.py checks every row). In
--   closed form, with s = sqrt(b g / (b + g) + z^2 / 4), the limits are 100 (b + z^2/2 -/+ z s) / (g + z^2/2 +/- z s)
--   (the same numbers as centre -/+ half-width, tested against natality.srb.stats). Written flat because DuckDB expands
--   macros as text: the nested form took ~20 ms to plan per query.
create or replace macro srb_wilson_s(boys, girls) as
sqrt(boys::double * girls / (boys + girls) + 1.959964 * 1.959964 / 4);

create or replace macro srb_ratio(boys, girls) as 100.0 * boys / nullif(girls, 0);

create or replace macro srb_wilson_low(boys, girls) as
case
    when boys + girls = 0 then null
    when boys = 0 then 0.0
    else
        100.0 * (boys + 1.959964 * 1.959964 / 2 - 1.959964 * srb_wilson_s(boys, girls))
        / (girls + 1.959964 * 1.959964 / 2 + 1.959964 * srb_wilson_s(boys, girls))
end;

create or replace macro srb_wilson_high(boys, girls) as
case
    when girls = 0 then null
    else
        100.0 * (boys + 1.959964 * 1.959964 / 2 + 1.959964 * srb_wilson_s(boys, girls))
        / (girls + 1.959964 * 1.959964 / 2 - 1.959964 * srb_wilson_s(boys, girls))
end;

-- The six columns every SRB row carries, in this order: unnest(srb_columns(boys, girls)).
create or replace macro srb_columns(boys, girls) as struct_pack(
    births := (boys + girls)::bigint,
    boys := boys::bigint,
    girls := girls::bigint,
    srb := srb_ratio(boys, girls),
    srb_low := srb_wilson_low(boys, girls),
    srb_high := srb_wilson_high(boys, girls)
);
