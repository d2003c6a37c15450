"""Sex ratio at birth: Wilson and exact intervals, funnel limits and shrinkage (``stats``), the
township tables built from them (``tables``), figures (``charts``) and the page's view (``view``).

May import: natality.core.
"""
