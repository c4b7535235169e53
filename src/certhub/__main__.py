"""The `certhub` console command: django-admin with CertHub's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
    from django.core.management import execute_from_command_line  # after the settings module is named

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
