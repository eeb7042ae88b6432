"""`python -m layoutkit`: the command line."""

from layoutkit.cli import main

if __name__ == "__main__":
    main()
