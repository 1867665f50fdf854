import sys

from blogkit.cli import main

sys.exit(main())
