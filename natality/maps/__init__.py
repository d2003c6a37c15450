"""Township and county maps: the choropleth frame (``frame``), classes and legend (``classes``),
labels (``labels``), figures (``charts``), one value per unit of an indicator (``values``) and
the Map page's data, which unit a region's map draws and the way back up (``view``).

May import: natality.core, natality.geo, natality.srb, natality.scorecard.
"""
