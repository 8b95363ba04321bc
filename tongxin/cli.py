"""The `tongxin` console command: manage.py for an installed Tongxin."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
