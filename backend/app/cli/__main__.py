"""`python -m app.cli` runs the `inventory` command."""

from app.cli import main

main()
