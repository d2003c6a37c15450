"""Targets and scoring: the indicator registry (``indicators`` + ``indicators.yaml``), judging,
scores, veto and ranks (``scoring``, CLI ``query scorecard``), rank intervals from simulated
sampling error (``uncertainty``), reasons in words (``reasons``),
the page table (``table``) and figures (``charts``).

May import: natality.core, natality.srb.
"""
