"""Everything that writes an extract: reading source files (``readers``, ``headers``, ``values``),
validating them with every problem listed at once (``validate*``, ``problems``), the township
table (``townships``), the atomic write (``write``), the import itself (``importer``, CLI
``import``), the synthetic demo (``demo``) and the Data page's view (``data_view``).

May import: natality.core, natality.geo.
"""
