"""``python -m immsim.cli``: the same as the ``immsim`` script."""

from immsim.cli import main

main()
