"""The foundation every other part stands on: the on-disk extract (``extract``), DuckDB and the
query runner (``db``), messages in both languages (``i18n`` + ``locales/``), the page context
(``context``), the house theme of every figure (``theme``), shared objects built once under a
lock (``once``) and text from data shown as written (``literal``).

May import: nothing else of natality.
"""
