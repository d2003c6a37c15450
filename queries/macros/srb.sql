-- SRB macros, created once per DuckDB connection (natality/db.py) and used by queries/srb_*.sql.
-- srb = 100 * boys / girls; srb_wilson_low / _high = the Wilson 95 % interval (z = 1.959964) for
-- p = boys / births, mapped through 100 p / (1 - p). Null where undefined (no girls, no births):
-- the upper limit with no girls would be infinite. Must agree with natality.srb.srb_estimate
-- (tests/test_srb_queries.py checks every row).
create or replace macro wilson_centre(k, n, z) as
    (k::double / n + z * z / n / 2) / (1 + z * z / n);

create or replace macro wilson_half(k, n, z) as
    z / (1 + z * z / n) * sqrt((k::double / n) * (1 - k::double / n) / n + z * z / n / (4 * n));

create or replace macro odds_per_100(p) as 100.0 * p / (1 - p);

create or replace macro srb_ratio(boys, girls) as 100.0 * boys / nullif(girls, 0);

create or replace macro srb_wilson_low(boys, girls) as
    case
        when boys + girls = 0 then null
        when boys = 0 then 0.0
        else odds_per_100(wilson_centre(boys, boys + girls, 1.959964) - wilson_half(boys, boys + girls, 1.959964))
    end;

create or replace macro srb_wilson_high(boys, girls) as
    case
        when girls = 0 then null
        else odds_per_100(wilson_centre(boys, boys + girls, 1.959964) + wilson_half(boys, boys + girls, 1.959964))
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
