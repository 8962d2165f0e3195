"""Backing up and restoring the database: SQLite's online backup API, or pg_dump/pg_restore."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _pg_environment(settings_dict: dict) -> tuple[list[str], dict]:
    arguments = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        arguments += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", settings_dict["USER"]]
    environment = {**os.environ}
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def backup(target: Path) -> Path:
    """Write a consistent copy of the whole database to `target`, while the site keeps running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return target
    if connection.vendor == "postgresql":
        arguments, environment = _pg_environment(connection.settings_dict)
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)]
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            command + arguments, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise BackupError(result.stderr.strip())
        return target
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def restore(source: Path) -> None:
    """Replace the whole database with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as copy:
            copy.backup(connection.connection)
        return
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore drops and recreates every table
        arguments, environment = _pg_environment(connection.settings_dict)
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
        ]
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            command + arguments, env=environment, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise BackupError(result.stderr.strip())
        return
    raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
