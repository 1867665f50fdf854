import sys

from blogkit.commands.cli import main

sys.exit(main())
