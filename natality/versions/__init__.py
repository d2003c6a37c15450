"""The Data page's area: the extract and its versions (facts, row counts, completeness, kept versions,
the import log) and the administrators' upload-and-import and rollback.

May import: natality.core, natality.importing.
"""
