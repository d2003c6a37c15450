-- region: region macros (in_region, region_townships, region_births, ...), created once per DuckDB connection
--   (natality/core/db.py), first of the macros.
-- Grain: per macro, below.
-- Params: region: a county, city or province code of the regions table; null = the whole extract.
-- Notes: every query that adds townships up reads its tables through these, so totals, rankings and reference values
--   follow the region a leader has chosen.

-- in_region(code, region): the township ``code`` lies in ``region`` (always true for null).
create or replace macro in_region(code, region) as
region is null
or code in (
    select township_regions.township_code from township_regions
    where township_regions.region_code = region
);

-- The tables narrowed to a region (and, for births, to one township when ``township`` is given).
-- region_births reads births_monthly (births summed by township, month and sex), region_births_order
-- births_core (the same by order too): both made once per connection (natality/core/db.py), in
-- memory, a tenth and a quarter of the file's rows at province scale.
create or replace macro region_townships(region) as table
    select * from townships
    where in_region(township_code, region);

create or replace macro region_births(township, region) as table
    select * from births_monthly
    where (township is null or township_code = township) and in_region(township_code, region);

-- The same with the birth order (births_core): for the queries that count by order.
create or replace macro region_births_order(township, region) as table
    select * from births_core
    where (township is null or township_code = township) and in_region(township_code, region);

-- The same over every column of births.parquet (mother's age band, policy compliance): slower.
create or replace macro region_births_detail(township, region) as table
    select * from births
    where (township is null or township_code = township) and in_region(township_code, region);

create or replace macro region_population(township, region) as table
    select * from population
    where (township is null or township_code = township) and in_region(township_code, region);
