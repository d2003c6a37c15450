"""The synthetic demo: a county of 19 townships (``county``), or a province-like tree of N townships
(``province``), written as a real extract with boundaries. Not an importer: it writes the extract's
files directly, so tests and `make run` have data without any office's files.

May import: natality.core, natality.geo.
"""
