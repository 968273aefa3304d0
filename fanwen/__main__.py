"""`python -m fanwen` is the `fanwen` command."""

from fanwen.cli import main

main()
