"""The demo's defaults, for the command line's help without importing the generator."""

DEFAULT_UNTIL = "2026-09"
DEFAULT_SEED = 20  # chosen so the planted hotspots stand out of the 3-year funnel plots
DEFAULT_TOWNSHIPS = 19  # the demo county; more builds a province
