"""``python -m reeducate`` runs the command line."""

from reeducate.cli.app import main

if __name__ == "__main__":
    main()
