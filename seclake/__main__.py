"""``python -m seclake`` runs the command line."""

from seclake.cli import main

main()
