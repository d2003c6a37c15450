"""Everything that writes an extract: reading source files (``readers``, ``headers``, ``values``),
validating them with every problem listed at once (``validate*``, ``problems``), the township
table (``townships``), the atomic write (``write``) and the import itself (``importer``, CLI
``import``). The synthetic demo is ``natality.demo``; the Data page's view ``natality.versions``.

May import: natality.core, natality.geo.
"""
