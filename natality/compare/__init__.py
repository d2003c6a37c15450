"""Two years side by side: the changes and their tests against chance (``comparison``), the
generated sentences and tables (``view``) and figures (``charts``).

May import: natality.core, natality.srb, natality.scorecard, natality.maps.
"""
