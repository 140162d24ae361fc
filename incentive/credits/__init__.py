"""Crediting: from transaction lines (orders, collections, refunds) to the per-person period table.

One job per module: ``definition`` (the declared shape), ``load`` (the
crediting file), ``sources`` (reading the files as text), ``values``
(text to exact typed columns), ``checks`` (bad-input rules), ``hierarchy``
(the dated ancestor table), ``sql`` (the portable SQL), ``engine`` (running
it, engine-neutral), ``duck`` / ``spark`` (the DuckDB and Spark engines) and
``period_table`` (people plus measures). See docs/crediting.md.
"""
