"""Start the trigger point injection FAQ bot; ``python run_bot.py --help`` lists commands."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
