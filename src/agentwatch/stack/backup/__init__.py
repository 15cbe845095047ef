"""Backup and restore of a stack home: a TSDB snapshot plus configuration and state, in one
``.tar.gz`` with a manifest of every file's size and sha256 (docs/backup.md).

The archive holds, under fixed top-level names:

- ``prometheus/``   the blocks of a snapshot taken through Prometheus' admin API
                    (restored as HOME/data/prometheus);
- ``alertmanager/`` Alertmanager's silences and notification log (HOME/data/alertmanager);
- ``alertmanager-2/`` the second Alertmanager's, with ``ha.enabled`` (HOME/data/alertmanager-2);
- ``config/``, ``rules/`` the generated configuration and rules;
- ``console/``, ``survey.jsonl`` the console's revoked sessions and the survey responses;
- ``manifest.json`` (last): version, time, snapshot name, the file list, and the secrets'
  metadata (accounts, roles, the file's sha256). Secret values are never archived.

Restore checks every member before it writes anything: names inside the archive only, no
links or devices, each file listed in the manifest with a matching sha256. It extracts into a
staging directory in the home, then swaps each part into place; the parts it replaces are kept
as ``<name>.before-restore-<ts>`` until every part is in, and put back if one fails.
"""

from ._archive import read_manifest
from ._create import create_backup, default_backup_path, running_prometheus_url
from ._format import (
    MANIFEST,
    BackupError,
    BackupInvalidError,
    BackupProgress,
    ProgressCallback,
)
from ._restore import RestoreReport, restore_backup

__all__ = [
    "MANIFEST",
    "BackupError",
    "BackupInvalidError",
    "BackupProgress",
    "ProgressCallback",
    "RestoreReport",
    "create_backup",
    "default_backup_path",
    "read_manifest",
    "restore_backup",
    "running_prometheus_url",
]
