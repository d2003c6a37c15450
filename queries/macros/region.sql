-- Region macros, created once per DuckDB connection (natality/db.py) first of the macros: a
-- region is a county, city or province code of the regions table; null = the whole extract.
-- Every query that adds townships up reads its tables through these, so totals, rankings and
-- reference values follow the region a leader has chosen.

-- in_region(code, region): the township ``code`` lies in ``region`` (always true for null).
create or replace macro in_region(code, region) as
    region is null
    or code in (select r.township_code from township_regions as r where r.region_code = region);

-- The tables narrowed to a region (and, for births, to one township when ``township`` is given).
create or replace macro region_townships(region) as table
    select * from townships where in_region(township_code, region);

create or replace macro region_births(township, region) as table
    select * from births
    where (township is null or township_code = township) and in_region(township_code, region);

create or replace macro region_population(township, region) as table
    select * from population
    where (township is null or township_code = township) and in_region(township_code, region);
