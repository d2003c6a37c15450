"""Births counts: the Overview's tiles (``overview``), the Births page's tables (``view``) and the
births figures (``charts``).

May import: natality.core, natality.srb.
"""
