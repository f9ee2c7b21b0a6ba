"""The notebook side: inline display, the ``%%conceptmap`` magic, agendas and session notebooks."""
