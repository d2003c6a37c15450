"""Township maps: the choropleth frame (``frame``), classes and legend (``classes``), labels
(``labels``), figures (``charts``) and the Map page's data (``view``).

May import: natality.core, natality.geo, natality.srb, natality.scorecard.
"""
