"""`python -m illvid_tui` does what the `illvid-tui` command does."""

from illvid_tui.main import main

if __name__ == "__main__":
    main()
