"""Targets and scoring: the indicator registry (``indicators`` + ``indicators.yaml``), verdicts
and credit (``judging``), scores, veto and ranks (``ranking``), the scorecard of a version computed
once and its tables (``scoring``, CLI ``query scorecard``), rank intervals from simulated
sampling error (``uncertainty``), reasons in words (``reasons``),
the page table (``table``) and figures (``charts``).

May import: natality.core, natality.srb.
"""
